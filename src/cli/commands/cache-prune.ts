// nimlet cache prune [--dry-run]: remove what no profile of the manifest needs (see src/cache/prune.ts).
import type { CommandRun } from '../context.js';
import { cacheSettings, loadCommandManifest } from '../../cache/command-support.js';
import { formatBytesExact } from '../../format-bytes.js';
import { readInventory } from '../../cache/inventory.js';
import { applyPrune, planPrune } from '../../cache/prune.js';

export const run: CommandRun = async (ctx, options) => {
  const { settings, cacheDir } = cacheSettings(ctx, options);
  const manifest = await loadCommandManifest(ctx, options, settings);
  const inventory = await readInventory(cacheDir);
  const items = await planPrune(inventory, manifest);
  if (!options.dryRun) await applyPrune(items, inventory.layout.tmp);
  const bytes = items.reduce((s, i) => s + i.bytes, 0);
  if (options.json) {
    ctx.stdout(JSON.stringify({ cacheDir, dryRun: Boolean(options.dryRun), removed: items, bytes }) + '\n');
    return 0;
  }
  for (const i of items) ctx.stdout(`${options.dryRun ? 'would remove' : 'removed'} ${i.kind} ${i.path}\n`);
  ctx.stdout(`${items.length} item(s), ${formatBytesExact(bytes)} ${options.dryRun ? 'would be freed' : 'freed'}\n`);
  return 0;
};
