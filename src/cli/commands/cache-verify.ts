// nimlet cache verify [--repair]: re-hash every blob and every workspace file; anything corrupt is listed and
// exits 74 — or, with --repair, is removed (the next serve or download-to-cache fetches it again) and exits 0.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';
import { cacheSettings } from '../command-support.js';
import { readInventory } from '../../cache/inventory.js';
import { repairCache, verifyCache } from '../../cache/verify.js';
import { cacheFsError } from '../../cache/disk.js';

export const run: CommandRun = async (ctx, options) => {
  const { cacheDir } = cacheSettings(ctx, options);
  const inventory = await readInventory(cacheDir);
  const report = await verifyCache(inventory, options.verbose ? (w) => ctx.stderr(`checking ${w}\n`) : undefined);
  const repaired = options.repair && report.problems.length
    ? await repairCache(inventory, report.damaged).catch(async (e: unknown) => {
      throw (await cacheFsError(e, inventory.layout)) ?? e;
    })
    : null;
  if (options.json) {
    ctx.stdout(JSON.stringify({ cacheDir, ...report, ok: report.problems.length === 0, ...(repaired ? { repaired } : {}) }) + '\n');
  } else {
    ctx.stdout(`checked ${report.blobsChecked} blob(s) and ${report.filesChecked} workspace file(s) in ${cacheDir}\n`);
  }
  if (repaired) {
    if (!options.json) {
      ctx.stdout(report.problems.map((p) => `  ${p}\n`).join(''));
      ctx.stdout(`removed ${repaired.workspaces} damaged profile folder(s) and ${repaired.blobs} blob(s): the next serve or download-to-cache fetches them again\n`);
    }
    return 0;
  }
  if (report.problems.length) {
    throw new NimletError('io', `the cache has ${report.problems.length} corrupt or missing file(s)`, {
      details: report.problems,
      hint: 'run `nimlet cache verify --repair` to remove what is damaged; the next serve or download-to-cache fetches it again',
    });
  }
  if (!options.json) ctx.stdout('all good\n');
  return 0;
};
