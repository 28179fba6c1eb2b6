// Reads a manifest of any layout NIM shipped into the normal form, or fails with every problem at once
// (exit 65), each with file, line and key path. The layout is chosen on an exact shape, never guessed twice.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import { type ReadContext, addError, isObject } from './layouts/context.js';
import { readLegacy } from './layouts/legacy.js';
import { readNim1 } from './layouts/nim1.js';
import { SCHEMA_VERSION, readSchema2, readSchema2Profiles } from './layouts/schema2.js';
import { formatProblem, type Problem } from './problems.js';
import type { Manifest, ManifestLayout, Profile } from './types.js';
import { readYamlFast } from './fast-read.js';
import { readYaml, type YamlDoc } from './yaml-doc.js';

const byLine = (a: Problem, b: Problem): number => a.line - b.line;

function readLayout(ctx: ReadContext, root: unknown): { layout: ManifestLayout; profiles: Profile[]; criteria?: unknown } {
  if (Array.isArray(root)) {
    // Profiles quoted without their header (as blog posts and READMEs show them).
    addError(ctx, [], `a bare list of profiles: a schema-2 manifest needs \`schema_version: ${SCHEMA_VERSION}\` and the list under \`profiles:\``);
    return { layout: 'schema-2', profiles: readSchema2Profiles(ctx, root, []) };
  }
  if (!isObject(root)) {
    addError(ctx, [], 'expected a map of profiles (NIM 1.x) or `schema_version:` with `profiles:` (schema 2)');
    return { layout: 'nim-1.x', profiles: [] };
  }
  if ('schema_version' in root || 'profiles' in root) {
    return { layout: 'schema-2', profiles: readSchema2(ctx, root), criteria: root.profile_selection_criteria };
  }
  if ('manifest' in root || 'model_profile' in root) return { layout: 'legacy-list', profiles: readLegacy(ctx, root) };
  return { layout: 'nim-1.x', profiles: readNim1(ctx, root) };
}

function isEmpty(root: unknown): boolean {
  return root === null || root === undefined || (isObject(root) && Object.keys(root).length === 0) || (Array.isArray(root) && root.length === 0);
}

function readDoc(doc: YamlDoc, file: string): { ctx: ReadContext; result: ReturnType<typeof readLayout> } {
  const ctx: ReadContext = { file, dir: path.dirname(path.resolve(file)), doc, errors: [...doc.errors], warnings: [...doc.warnings] };
  let result: ReturnType<typeof readLayout> = { layout: 'nim-1.x', profiles: [] };
  if (ctx.errors.length === 0 && isEmpty(doc.plain)) addError(ctx, [], 'the manifest is empty: it lists no profiles');
  else if (doc.plain !== undefined) result = readLayout(ctx, doc.plain);
  return { ctx, result };
}

/** The fast path's reading, when it is clean; anything to report is left to the exact path and its lines. */
function readFast(text: string, file: string): ReturnType<typeof readDoc> | null {
  const doc = readYamlFast(text);
  if (doc === null) return null;
  const read = readDoc(doc, file);
  const { ctx, result } = read;
  const clean = ctx.errors.length === 0 && ctx.warnings.length === 0 && result.profiles.every((p) => p.location.line > 0);
  return clean ? read : null;
}

/** Parses manifest text; `file` names it in messages and resolves relative sources. Pure apart from path.resolve. */
export function parseManifestText(text: string, file: string): Manifest {
  return finish(readFast(text, file) ?? readDoc(readYaml(text), file), file);
}

/** parseManifestText without the fast path: what the fast path must agree with (tests compare them). */
export function parseManifestTextExact(text: string, file: string): Manifest {
  return finish(readDoc(readYaml(text), file), file);
}

function finish({ ctx, result }: ReturnType<typeof readDoc>, file: string): Manifest {
  if (ctx.errors.length > 0) {
    const n = ctx.errors.length;
    throw new NimletError('manifest-invalid', `${file}: ${n} problem${n === 1 ? '' : 's'}`, {
      details: ctx.errors.sort(byLine).map((p) => formatProblem(file, p)),
      hint: `fix every line listed (manifests/example.schema2.yaml shows the schema-2 layout with every key), then run \`nimlet manifest validate ${file}\` again`,
    });
  }
  const manifest: Manifest = {
    file: path.resolve(file),
    dir: ctx.dir,
    layout: result.layout,
    profiles: result.profiles,
    warnings: ctx.warnings.sort(byLine).map((p) => formatProblem(file, p)),
  };
  if (result.criteria !== undefined) manifest.profileSelectionCriteria = result.criteria;
  return manifest;
}

/**
 * Reads and parses a manifest file: missing or unreadable is `not-found` (66), malformed `manifest-invalid` (65).
 * `name` is how messages call it (the path as the user typed it); the file itself is `file`.
 */
export async function loadManifest(file: string, name: string = file): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? String(cause)})`;
    throw new NimletError('not-found', `manifest ${name}: ${why}`, {
      cause,
      hint: 'pass --manifest FILE or set NIMLET_MANIFEST to a readable model_manifest.yaml',
    });
  }
  const manifest = parseManifestText(text, name);
  return name === file ? manifest : { ...manifest, file: path.resolve(file), dir: path.dirname(path.resolve(file)) };
}
