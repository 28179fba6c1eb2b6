// nimlet manifest ids FILE: every profile's id (computed for schema-2 profiles written without one) and name.
import path from 'node:path';
import { NimletError } from '../../errors.js';
import { loadManifest } from '../../manifest/load.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async (ctx, options, args) => {
  const file = args[0];
  if (file === undefined) throw new NimletError('usage', 'manifest ids needs a FILE');
  const manifest = await loadManifest(path.resolve(ctx.cwd, file), file);
  for (const w of manifest.warnings) ctx.stderr(`warning: ${w}\n`);
  if (options.json) {
    ctx.stdout(JSON.stringify(manifest.profiles.map((p) => ({ id: p.id, name: p.name, tags: p.tags }))) + '\n');
  } else {
    ctx.stdout(manifest.profiles.map((p) => `${p.id}  ${p.name}\n`).join(''));
  }
  return 0;
};
