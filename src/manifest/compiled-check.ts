// Checks a compiled copy (compiled.ts) before it is used. The cache may be shared (pods on a ReadWriteMany
// volume), so a copy is input like any other: a truncated, hand-edited or hostile one must neither crash nimlet
// (a copy that is never replaced would crash every start) nor slip past what the parser guarantees (a workspace
// path `../../x` would have the download write outside the cache). So the copy is held to the normal form's
// exact shape and to the parser's own rules (rules.ts, workspace-paths.ts), and each profile is derived again.
// Plain code, not a zod schema: this runs on every warm start, which otherwise never loads zod. Measured on the
// 2,000-profile bench manifest, importing zod alone costs about as much CPU as this whole check, and validating
// with it as much again.
import { buildProfile, type ProfileParts } from './profile.js';
import { COMPUTE_CAPABILITY, DRIVER_VERSION, ENV_NAME, isProcessText, tagProblem } from './rules.js';
import type { EngineSettings, Manifest, ManifestLayout, ModelShape, Profile, Requirements, SourceLocation, WorkspaceFile } from './types.js';
import { WorkspaceClaims, workspacePath } from './workspace-paths.js';

/** Where the copy must say it came from: what the parser would have written for this file and name. */
export interface CopyOrigin {
  file: string;
  dir: string;
  name: string;
}

/** Every key of T, listed once: the compiler names a key added to or dropped from the type. */
const keysOf = <T>(keys: Record<keyof T, true>): string[] => Object.keys(keys);

const FILE_KEYS = keysOf<WorkspaceFile>({ path: true, uri: true, sha256: true, size: true, extract: true });
const REQUIREMENT_KEYS = keysOf<Requirements>({ minGpuMemoryMiB: true, minDriver: true, minComputeCapability: true });
const ENGINE_KEYS = keysOf<EngineSettings>({ args: true, env: true });
const LOCATION_KEYS = keysOf<SourceLocation>({ file: true, line: true });
const PARTS_KEYS = keysOf<Required<ProfileParts>>({ id: true, tags: true, files: true, location: true, requirements: true, engineSettings: true, model: true });
/** Every key a profile always has; `model` (a generated profile's shape) is optional. */
const PROFILE_KEYS = keysOf<Required<Profile>>({
  id: true, name: true, tags: true, engine: true, precision: true, tp: true, pp: true, numberOfGpus: true, gpu: true,
  gpuDevice: true, optimization: true, lora: true, files: true, requirements: true, engineSettings: true, location: true, model: true,
}).filter((k) => k !== 'model');
const MODEL_KEYS = keysOf<ModelShape>({ weightBytes: true, layers: true, attentionHeads: true, kvHeads: true, headDim: true, kvBytesPerValue: true, maxContext: true });
/** What buildProfile derives from the parts it is given (all scalars). */
const DERIVED_KEYS = PROFILE_KEYS.filter((key): key is Exclude<keyof Profile, keyof ProfileParts> => !PARTS_KEYS.includes(key));
const MANIFEST_KEYS = keysOf<Omit<Manifest, 'profileSelectionCriteria' | 'generatedFrom'>>({ file: true, dir: true, layout: true, profiles: true, warnings: true });
const LAYOUTS = keysOf<Record<ManifestLayout, true>>({ 'nim-1.x': true, 'schema-2': true, 'legacy-list': true });

/** Ids as the NIM 1.x and schema-2 readers leave them: lower-cased 64 hex (legacy ids are any non-empty text). */
const LOWER_HEX = /^[0-9a-f]{64}$/;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const orNull = <T>(v: unknown, is: (v: unknown) => v is T): v is T | null => v === null || is(v);
const matches = (re: RegExp) => (v: unknown): v is string => isText(v) && re.test(v);
const isLowerHex = matches(LOWER_HEX);
const isDriverVersion = matches(DRIVER_VERSION);
const isComputeCapability = matches(COMPUTE_CAPABILITY);
const isLayout = (v: unknown): v is ManifestLayout => isText(v) && LAYOUTS.includes(v);

/** Exactly `keys`, each present (JSON has no undefined members), and `optional` when given. */
function hasKeys(v: Json, keys: readonly string[], optional?: string): boolean {
  const extra = optional !== undefined && Object.hasOwn(v, optional) ? 1 : 0;
  if (Object.keys(v).length !== keys.length + extra) return false;
  for (const key of keys) if (!Object.hasOwn(v, key)) return false;
  return true;
}

function isFile(v: unknown): v is WorkspaceFile {
  return isMap(v) && hasKeys(v, FILE_KEYS)
    // The normal form only: a path the parser would refuse, or would have rewritten, is no path it wrote.
    && isText(v.path) && workspacePath(v.path) === v.path
    && isText(v.uri) && orNull(v.sha256, isLowerHex) && orNull(v.size, isCount) && typeof v.extract === 'boolean';
}

function isTags(v: unknown): v is Record<string, string> {
  if (!isMap(v)) return false;
  for (const key in v) if (tagProblem(key, v[key]) !== null) return false;
  return true;
}

function isRequirements(v: unknown): v is Requirements {
  return isMap(v) && hasKeys(v, REQUIREMENT_KEYS) && orNull(v.minGpuMemoryMiB, isCount)
    && orNull(v.minDriver, isDriverVersion) && orNull(v.minComputeCapability, isComputeCapability);
}

function isEngineSettings(v: unknown): v is EngineSettings {
  if (!isMap(v) || !hasKeys(v, ENGINE_KEYS) || !Array.isArray(v.args) || !v.args.every(isProcessText) || !isMap(v.env)) return false;
  for (const name in v.env) if (!ENV_NAME.test(name) || !isProcessText(v.env[name])) return false;
  return true;
}

function isModel(v: unknown): v is ModelShape {
  return isMap(v) && hasKeys(v, MODEL_KEYS) && MODEL_KEYS.every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]) && (v[k] as number) > 0);
}

/** The profile derived again from the copy's parts, when they check out and the copy's derived fields agree. */
function checkProfile(v: unknown, layout: ManifestLayout, origin: CopyOrigin): Profile | null {
  if (!isMap(v) || !hasKeys(v, PROFILE_KEYS, 'model')) return null;
  const { id, tags, files, location, requirements, engineSettings, model } = v;
  if (model !== undefined && !isModel(model)) return null;
  // The id names the profile's cache folder and lock; 1.x and schema-2 readers only ever leave 64 lower hex.
  if (!isText(id) || !(layout === 'legacy-list' ? id.trim() !== '' : LOWER_HEX.test(id))) return null;
  if (!isTags(tags) || !isRequirements(requirements) || !isEngineSettings(engineSettings)) return null;
  if (!isMap(location) || !hasKeys(location, LOCATION_KEYS) || location.file !== origin.name || !isCount(location.line)) return null;
  if (!Array.isArray(files)) return null;
  const claims = new WorkspaceClaims();
  for (const file of files) if (!isFile(file) || claims.claim(file.path, file.extract) !== null) return null;
  const rebuilt = buildProfile({ id, tags, files, location: { file: origin.name, line: location.line }, requirements, engineSettings, ...(model === undefined ? {} : { model }) });
  for (const key of DERIVED_KEYS) if (v[key] !== rebuilt[key]) return null;
  return rebuilt;
}

/** The copy as a Manifest when it is one the parser could have written for `origin`; null when it is not. */
export function checkCompiledCopy(copy: unknown, origin: CopyOrigin): Manifest | null {
  if (!isMap(copy) || !hasKeys(copy, MANIFEST_KEYS, 'profileSelectionCriteria')) return null;
  const { file, dir, layout, profiles, warnings } = copy;
  if (file !== origin.file || dir !== origin.dir || !isLayout(layout)) return null;
  if (!Array.isArray(warnings) || !warnings.every(isText) || !Array.isArray(profiles) || profiles.length === 0) return null;
  const checked: Profile[] = [];
  const ids = new Set<string>();
  for (const entry of profiles) {
    const profile = checkProfile(entry, layout, origin);
    if (profile === null || ids.has(profile.id)) return null;
    ids.add(profile.id);
    checked.push(profile);
  }
  const manifest: Manifest = { file: origin.file, dir: origin.dir, layout, profiles: checked, warnings };
  if (Object.hasOwn(copy, 'profileSelectionCriteria')) manifest.profileSelectionCriteria = copy.profileSelectionCriteria;
  return manifest;
}
