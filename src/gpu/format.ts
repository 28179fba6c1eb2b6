// The inventory as `gpus --json` prints it (DESIGN §1, extra fields allowed) and as a table for people.
import type { Gpu, GpuInventory } from './types.js';

/** The stable JSON shape: DESIGN's fields plus family, busId and memoryUsedMiB. */
export function inventoryToJson(inv: GpuInventory): Record<string, unknown> {
  return {
    driverVersion: inv.driverVersion,
    gpus: inv.gpus.map((g) => ({
      index: g.index,
      uuid: g.uuid,
      name: g.name,
      pciDeviceId: g.pciDeviceId,
      busId: g.busId,
      family: g.family,
      memoryTotalMiB: g.memoryTotalMiB,
      memoryUsedMiB: g.memoryUsedMiB,
      memoryFreeMiB: g.memoryFreeMiB,
      computeCapability: g.computeCapability,
      migEnabled: g.migEnabled,
      migDevices: g.migDevices.map((m) => ({ uuid: m.uuid, profile: m.profile, index: m.index })),
    })),
  };
}

const dash = '-';

function memory(g: Gpu): string {
  if (g.memoryTotalMiB === null) return dash;
  return `${g.memoryFreeMiB ?? '?'} / ${g.memoryTotalMiB} MiB free`;
}

function padTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** One row per GPU, its MIG devices indented under it. */
export function formatInventory(inv: GpuInventory): string[] {
  const rows: string[][] = [['GPU', 'NAME', 'PCI ID', 'FAMILY', 'CC', 'MEMORY', 'MIG']];
  for (const g of inv.gpus) {
    rows.push([String(g.index), g.name, g.pciDeviceId ?? dash, g.family ?? dash, g.computeCapability ?? dash, memory(g),
      g.migEnabled ? `on (${g.migDevices.length} device${g.migDevices.length === 1 ? '' : 's'})` : 'off']);
    for (const m of g.migDevices) rows.push([`  ${g.index}:${m.index}`, `MIG ${m.profile}`, '', '', '', '', m.uuid]);
  }
  return [`Driver:  ${inv.driverVersion ?? 'unknown'}`, ...padTable(rows)];
}
