// nimlet cache verify: re-hash every blob and every workspace file; anything corrupt is listed and exits 74.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';
import { cacheSettings } from '../../cache/command-support.js';
import { readInventory } from '../../cache/inventory.js';
import { verifyCache } from '../../cache/verify.js';

export const run: CommandRun = async (ctx, options) => {
  const { cacheDir } = cacheSettings(ctx, options);
  const report = await verifyCache(await readInventory(cacheDir), options.verbose ? (w) => ctx.stderr(`checking ${w}\n`) : undefined);
  if (options.json) ctx.stdout(JSON.stringify({ cacheDir, ...report, ok: report.problems.length === 0 }) + '\n');
  else ctx.stdout(`checked ${report.blobsChecked} blob(s) and ${report.filesChecked} workspace file(s) in ${cacheDir}\n`);
  if (report.problems.length) {
    throw new NimletError('io', `the cache has ${report.problems.length} corrupt or missing file(s)`, {
      details: report.problems,
      hint: 'remove the damaged profiles (nimlet cache prune, or delete their folders under profiles/) and download them again',
    });
  }
  if (!options.json) ctx.stdout('all good\n');
  return 0;
};
