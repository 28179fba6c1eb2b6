// nimlet cache ls: the profiles in the cache (complete or not) and the blobs, from the folder alone.
import type { CommandRun } from '../context.js';
import { cacheSettings } from '../command-support.js';
import { formatBytesExact } from '../../format-bytes.js';
import { markerBytes, readInventory } from '../../cache/inventory.js';

export const run: CommandRun = async (ctx, options) => {
  const { cacheDir } = cacheSettings(ctx, options);
  const inv = await readInventory(cacheDir);
  const profiles = inv.workspaces.map((ws) => ({
    id: ws.marker?.id ?? ws.name,
    name: ws.marker?.name ?? null,
    complete: ws.marker !== null,
    files: ws.marker?.files.length ?? 0,
    bytes: ws.marker ? markerBytes(ws.marker) : 0,
    path: ws.dir,
  }));
  const blobs = { count: inv.blobs.length, bytes: inv.blobs.reduce((s, b) => s + b.bytes, 0) };
  const partials = { count: inv.partials.length, bytes: inv.partials.reduce((s, p) => s + p.bytes, 0) };
  if (options.json) {
    ctx.stdout(JSON.stringify({ cacheDir, profiles, blobs, partials }) + '\n');
    return 0;
  }
  ctx.stdout(`cache ${cacheDir}\n`);
  if (!profiles.length) ctx.stdout('no profiles\n');
  for (const p of profiles) {
    ctx.stdout(`${p.complete ? 'complete  ' : 'incomplete'} ${p.id}${p.name ? ` (${p.name})` : ''}: ${p.files} file(s), ${formatBytesExact(p.bytes)}\n`);
  }
  ctx.stdout(`blobs: ${blobs.count}, ${formatBytesExact(blobs.bytes)}\n`);
  if (partials.count) ctx.stdout(`partial downloads: ${partials.count}, ${formatBytesExact(partials.bytes)}\n`);
  return 0;
};
