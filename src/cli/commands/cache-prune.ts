// nimlet cache prune [--dry-run]: remove what no profile of the manifest needs (see src/cache/prune.ts).
import type { CommandRun } from '../context.js';
import { cacheSettings, loadCommandManifest } from '../../cache/command-support.js';
import { formatBytesExact } from '../../format-bytes.js';
import { readInventory } from '../../cache/inventory.js';
import { applyPrune, planPrune, type PruneItem } from '../../cache/prune.js';

export const run: CommandRun = async (ctx, options) => {
  const { settings, cacheDir } = cacheSettings(ctx, options);
  const manifest = await loadCommandManifest(ctx, options, settings);
  const inventory = await readInventory(cacheDir);
  const planned = await planPrune(inventory, manifest);
  let items: PruneItem[] = planned;
  if (!options.dryRun) {
    try {
      items = await applyPrune(planned, inventory.layout.tmp);
    } catch (e) {
      // a cache owned by another uid, or on a read-only mount: 73 naming the folder, not an internal error
      const { cacheFsError } = await import('../../cache/disk.js');
      throw (await cacheFsError(e, inventory.layout)) ?? e;
    }
  }
  const bytes = items.reduce((s, i) => s + i.bytes, 0);
  if (options.json) {
    ctx.stdout(JSON.stringify({ cacheDir, dryRun: Boolean(options.dryRun), removed: items, bytes }) + '\n');
    return 0;
  }
  for (const i of items) ctx.stdout(`${options.dryRun ? 'would remove' : 'removed'} ${i.kind} ${i.path}\n`);
  ctx.stdout(`${items.length} item(s), ${formatBytesExact(bytes)} ${options.dryRun ? 'would be freed' : 'freed'}\n`);
  return 0;
};
