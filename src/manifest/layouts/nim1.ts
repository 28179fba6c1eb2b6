// NIM 1.x: a map keyed by the 64-hex profile id, each with `tags` (text) and an optional `!workspace`.
import { z } from 'zod';
import { buildProfile } from '../profile.js';
import { HEX_ID } from '../rules.js';
import { tagsSchema } from '../tags.js';
import type { Profile } from '../types.js';
import { componentFiles, componentsWorkspaceSchema } from './components.js';
import { addError, check, type ReadContext } from './context.js';

export const nim1ProfileSchema = z.looseObject({
  tags: tagsSchema,
  workspace: componentsWorkspaceSchema,
});

export function readNim1(ctx: ReadContext, root: Record<string, unknown>): Profile[] {
  const profiles: Profile[] = [];
  const ids = new Map<string, number>();
  for (const [key, value] of Object.entries(root)) {
    const at = [key];
    if (!HEX_ID.test(key)) {
      addError(ctx, at, `${JSON.stringify(key)} is not a 64-hex profile id (a NIM 1.x manifest maps each profile id to its tags and workspace)`);
    }
    // Ids are compared lowercased: `AB…` and `ab…` are two YAML keys but one profile id (and one cache folder).
    const first = ids.get(key.toLowerCase());
    if (first !== undefined) addError(ctx, at, `duplicate profile id ${key.toLowerCase()} (first at line ${first})`);
    else ids.set(key.toLowerCase(), ctx.doc.lineAt(at));
    const body = check(ctx, nim1ProfileSchema, value, at);
    if (body === undefined) continue;
    const files = componentFiles(ctx, body.workspace, [...at, 'workspace']);
    profiles.push(buildProfile({ id: key.toLowerCase(), tags: body.tags, files, location: { file: ctx.file, line: ctx.doc.lineAt(at) } }));
  }
  return profiles;
}
