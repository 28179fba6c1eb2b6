// Legacy non-LLM lists (MolMIM and friends): `model_profile:` and `manifest: [{id, tags, workspace} | {<id>: {tags}}]`.
// Ids are any non-empty text; there is no llm_engine, so these profiles load and are never runnable as LLMs.
import { z } from 'zod';
import type { KeyPath } from '../problems.js';
import { buildProfile } from '../profile.js';
import { tagsSchema } from '../tags.js';
import type { Profile } from '../types.js';
import { componentFiles, componentsWorkspaceSchema } from './components.js';
import { addError, check, isObject, type ReadContext } from './context.js';

const legacyBodySchema = z.looseObject({ tags: tagsSchema, workspace: componentsWorkspaceSchema });
const legacyRootSchema = z.looseObject({ model_profile: z.string().optional(), manifest: z.array(z.unknown()).min(1, 'no profiles listed') });

function splitEntry(entry: unknown, at: KeyPath): { id: unknown; body: unknown; at: KeyPath; idAt: KeyPath } | null {
  if (!isObject(entry)) return null;
  if ('id' in entry) return { id: entry.id, body: entry, at, idAt: [...at, 'id'] };
  const keys = Object.keys(entry);
  if (keys.length === 1) return { id: keys[0], body: entry[keys[0]!], at: [...at, keys[0]!], idAt: [...at, keys[0]!] };
  return null;
}

export function readLegacy(ctx: ReadContext, root: Record<string, unknown>): Profile[] {
  const top = check(ctx, legacyRootSchema, root, []);
  if (top === undefined) return [];
  const profiles: Profile[] = [];
  const ids = new Map<string, number>();
  top.manifest.forEach((entry, i) => {
    const split = splitEntry(entry, ['manifest', i]);
    if (split === null) return addError(ctx, ['manifest', i], 'each entry needs `id:` with `tags:`, or a single `<id>:` key holding them');
    if (typeof split.id !== 'string' || split.id.trim() === '') return addError(ctx, split.idAt, 'a profile id must be non-empty text');
    const line = ctx.doc.lineAt(split.idAt);
    const first = ids.get(split.id);
    if (first !== undefined) addError(ctx, split.idAt, `duplicate profile id ${JSON.stringify(split.id)} (first at line ${first})`);
    else ids.set(split.id, line);
    const body = check(ctx, legacyBodySchema, split.body, split.at);
    if (body === undefined) return;
    const files = componentFiles(ctx, body.workspace, [...split.at, 'workspace']);
    profiles.push(buildProfile({ id: split.id, tags: body.tags, files, location: { file: ctx.file, line: ctx.doc.lineAt(split.at) } }));
  });
  return profiles;
}
