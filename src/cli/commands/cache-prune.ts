// nimlet cache prune [--dry-run]: remove what nothing needs — not the manifest, a running nimlet's lease, or a
// record of another manifest's profile on this shared cache (see src/cache/prune.ts). The dry run lists exactly
// what a real run removes, and says why it keeps the rest.
import type { CommandRun } from '../context.js';
import { cacheSettings, loadCommandManifest } from '../command-support.js';
import { formatBytesExact } from '../../format-bytes.js';
import { readInventory } from '../../cache/inventory.js';
import { applyPrune, prunePlan, type PruneItem } from '../../cache/prune.js';

export const run: CommandRun = async (ctx, options) => {
  const { settings, cacheDir } = cacheSettings(ctx, options);
  const manifest = await loadCommandManifest(ctx, options, settings);
  const inventory = await readInventory(cacheDir);
  const plan = await prunePlan(inventory, manifest);
  let items: PruneItem[] = plan.remove;
  if (!options.dryRun) {
    try {
      // judged once more just before removing: a nimlet that started since holds a lease the first look missed
      const again = new Set((await prunePlan(await readInventory(cacheDir), manifest)).remove.map((i) => i.path));
      items = await applyPrune(plan.remove.filter((i) => again.has(i.path)), inventory.layout.tmp);
    } catch (e) {
      // a cache owned by another uid, or on a read-only mount: 73 naming the folder, not an internal error
      const { cacheFsError } = await import('../../cache/disk.js');
      throw (await cacheFsError(e, inventory.layout)) ?? e;
    }
  }
  const bytes = items.reduce((s, i) => s + i.bytes, 0);
  if (options.json) {
    ctx.stdout(JSON.stringify({ cacheDir, dryRun: Boolean(options.dryRun), removed: items, bytes, kept: plan.kept }) + '\n');
    return 0;
  }
  for (const i of items) ctx.stdout(`${options.dryRun ? 'would remove' : 'removed'} ${i.kind} ${i.path}\n`);
  for (const k of plan.kept) ctx.stdout(`keeping ${k.kind} ${k.path}: ${k.why}\n`);
  ctx.stdout(`${items.length} item(s), ${formatBytesExact(bytes)} ${options.dryRun ? 'would be freed' : 'freed'}\n`);
  return 0;
};
