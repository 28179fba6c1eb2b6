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
  // valid, but serve and download-to-cache refuse it unless NIM_MODEL_NAME gives the model folder
  const empty = manifest.profiles
    .filter((p) => p.files.length === 0 && p.engine !== null)
    .map((p) => `${p.location.file}:${p.location.line}: profile ${p.id} (${p.name}) lists no files: it serves only with NIM_MODEL_NAME set to a model folder`);
  const warnings = [...manifest.warnings, ...empty];
  if (options.json) {
    ctx.stdout(JSON.stringify({ file, layout: manifest.layout, profiles: n, warnings }) + '\n');
    return 0;
  }
  for (const w of warnings) ctx.stderr(`warning: ${w}\n`);
  const warned = warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : '';
  ctx.stdout(`${file}: OK, ${manifest.layout} layout, ${n} profile${n === 1 ? '' : 's'}${warned}\n`);
  return 0;
};
