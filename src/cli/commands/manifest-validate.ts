// nimlet manifest validate FILE: every problem with file:line and key path (exit 65), or a one-line summary.
import path from 'node:path';
import { NimletError } from '../../errors.js';
import { loadManifest } from '../../manifest/load.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async (ctx, options, args) => {
  const file = args[0];
  if (file === undefined) throw new NimletError('usage', 'manifest validate needs a FILE');
  const manifest = await loadManifest(path.resolve(ctx.cwd, file), file);
  const n = manifest.profiles.length;
  if (options.json) {
    ctx.stdout(JSON.stringify({ file, layout: manifest.layout, profiles: n, warnings: manifest.warnings }) + '\n');
    return 0;
  }
  for (const w of manifest.warnings) ctx.stderr(`warning: ${w}\n`);
  const warned = manifest.warnings.length > 0 ? `, ${manifest.warnings.length} warning${manifest.warnings.length === 1 ? '' : 's'}` : '';
  ctx.stdout(`${file}: OK, ${manifest.layout} layout, ${n} profile${n === 1 ? '' : 's'}${warned}\n`);
  return 0;
};
