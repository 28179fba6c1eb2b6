// Schema 2.0.0: `schema_version`, `profile_selection_criteria`, `profiles: [{id?, tags, workspace: {files}}]`,
// plus nimlet's own optional additions: per file sha256/size/extract, per profile requirements and engine.
import { z } from 'zod';
import { computeProfileId } from '../ids.js';
import type { KeyPath } from '../problems.js';
import { buildProfile } from '../profile.js';
import { COMPUTE_CAPABILITY, DRIVER_VERSION, ENV_NAME, HEX_ID, isProcessText } from '../rules.js';
import { tagsSchema } from '../tags.js';
import type { Profile, WorkspaceFile } from '../types.js';
import { WorkspaceClaims, workspacePath } from '../workspace-paths.js';
import { addError, check, checkSource, type ReadContext } from './context.js';

const fileSchema = z.looseObject({
  uri: z.string().min(1, 'a file needs a source uri'),
  sha256: z.string().regex(HEX_ID, 'sha256 must be 64 hex characters').transform((s) => s.toLowerCase()).optional(),
  size: z.int('size must be a whole number of bytes').nonnegative('size must not be negative').optional(),
  extract: z.boolean().optional(),
});

const requirementsSchema = z.strictObject({
  min_gpu_memory_mib: z.int('min_gpu_memory_mib must be a whole number of MiB').nonnegative().optional(),
  min_driver: z.string().regex(DRIVER_VERSION, 'min_driver must be a driver version such as 550.54.15').optional(),
  min_compute_capability: z.string().regex(COMPUTE_CAPABILITY, 'min_compute_capability must be major.minor such as 8.9').optional(),
});

const processText = (what: string) => z.string().refine(isProcessText, `${what} must not contain a NUL byte (\\0)`);

const engineSchema = z.strictObject({
  args: z.array(processText('an engine argument')).optional(),
  env: z.record(z.string().regex(ENV_NAME, 'an environment variable name'), processText('an environment value')).optional(),
});

const positive = (what: string) => z.number(`${what} must be a number`).positive(`${what} must be positive`);

/** nimlet's addition (DESIGN §13): the model's shape from its config.json, so selection estimates memory. */
const modelSchema = z.strictObject({
  weight_bytes: z.int('weight_bytes must be a whole number of bytes').positive(),
  layers: z.int('layers must be a whole number').positive(),
  attention_heads: z.int('attention_heads must be a whole number').positive(),
  kv_heads: z.int('kv_heads must be a whole number').positive(),
  head_dim: positive('head_dim'),
  kv_bytes_per_value: positive('kv_bytes_per_value'),
  max_context: z.int('max_context must be a whole number of tokens').positive(),
});

function idMessage(input: unknown): string {
  const text = typeof input === 'string' ? input.trim() : '';
  const truncated = /(\.\.\.|…)$/.test(text) ? ' looks truncated:' : ' is not valid:';
  return `id${truncated} a profile id is 64 hex characters (leave it out and nimlet computes one)`;
}

export const schema2ProfileSchema = z.looseObject({
  id: z.string().regex(HEX_ID, { error: (i) => idMessage(i.input) }).optional(),
  tags: tagsSchema,
  workspace: z.looseObject({ files: z.record(z.string(), fileSchema) }).optional(),
  requirements: requirementsSchema.optional(),
  engine: engineSchema.optional(),
  model: modelSchema.optional(),
});

export const SCHEMA_VERSION = '2.0.0';

/** Reads a list of schema-2 profiles found at `at` (`['profiles']`, or `[]` for a bare list). */
export function readSchema2Profiles(ctx: ReadContext, list: readonly unknown[], at: KeyPath): Profile[] {
  const profiles: Profile[] = [];
  const ids = new Map<string, number>();
  list.forEach((entry, i) => {
    const here = [...at, i];
    const body = check(ctx, schema2ProfileSchema, entry, here);
    if (body === undefined) return;
    const written = body.workspace?.files ?? {};
    const files: WorkspaceFile[] = [];
    const claims = new WorkspaceClaims();
    for (const [p, f] of Object.entries(written)) {
      const where = [...here, 'workspace', 'files', p];
      const rel = workspacePath(p);
      if (rel === null) {
        addError(ctx, where, `${JSON.stringify(p)} is not a relative path inside the workspace (no leading /, no .., each name at most 255 bytes)`);
        continue;
      }
      // `config.json` and `./config.json` are one file: the second download would overwrite the first.
      const clash = claims.claim(rel, f.extract ?? false);
      if (clash !== null) {
        addError(ctx, where, clash);
        continue;
      }
      checkSource(ctx, f.uri, [...where, 'uri']);
      files.push({ path: rel, uri: f.uri, sha256: f.sha256 ?? null, size: f.size ?? null, extract: f.extract ?? false });
    }
    const id = body.id?.toLowerCase() ?? computeProfileId(body.tags, written);
    const line = ctx.doc.lineAt(here);
    const first = ids.get(id);
    if (first !== undefined) addError(ctx, body.id === undefined ? here : [...here, 'id'], `duplicate profile id ${id} (first at line ${first})`);
    else ids.set(id, line);
    const r = body.requirements;
    profiles.push(buildProfile({
      id,
      tags: body.tags,
      files,
      location: { file: ctx.file, line },
      requirements: { minGpuMemoryMiB: r?.min_gpu_memory_mib ?? null, minDriver: r?.min_driver ?? null, minComputeCapability: r?.min_compute_capability ?? null },
      engineSettings: { args: body.engine?.args ?? [], env: body.engine?.env ?? {} },
      ...(body.model ? { model: {
        weightBytes: body.model.weight_bytes, layers: body.model.layers, attentionHeads: body.model.attention_heads, kvHeads: body.model.kv_heads,
        headDim: body.model.head_dim, kvBytesPerValue: body.model.kv_bytes_per_value, maxContext: body.model.max_context,
      } } : {}),
    }));
  });
  return profiles;
}

export function readSchema2(ctx: ReadContext, root: Record<string, unknown>): Profile[] {
  const version = root.schema_version;
  if (version === undefined) {
    addError(ctx, [], `schema_version is missing: a schema-2 manifest starts with schema_version: ${SCHEMA_VERSION}`);
  } else if (version !== SCHEMA_VERSION) {
    addError(ctx, ['schema_version'], `unsupported schema_version ${JSON.stringify(version)}: nimlet reads ${SCHEMA_VERSION}`);
  }
  const list = root.profiles;
  if (!Array.isArray(list)) {
    addError(ctx, list === undefined ? [] : ['profiles'], list === undefined ? '`profiles:` is missing: a schema-2 manifest lists its profiles there' : '`profiles` must be a list of profiles');
    return [];
  }
  if (list.length === 0) addError(ctx, ['profiles'], 'no profiles listed');
  return readSchema2Profiles(ctx, list, ['profiles']);
}
