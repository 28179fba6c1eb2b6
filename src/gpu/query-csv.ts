// Reads nvidia-smi's answer to the one --query-gpu call into GPUs. Unknowns stay unknown: `[N/A]`,
// `[Not Supported]` and friends become null, never numbers.
import { NimletError } from '../errors.js';
import { familyFromName } from './family.js';
import { lookupPciDevice, normalizePciDeviceId } from './pci-ids.js';
import type { Gpu } from './types.js';

/** The fields of the one probe call, in order; `compute_cap` is dropped for drivers that predate it. */
export const QUERY_FIELDS = [
  'index', 'uuid', 'name', 'pci.bus_id', 'pci.device_id', 'memory.total', 'memory.used', 'memory.free',
  'compute_cap', 'driver_version', 'mig.mode.current',
] as const;

export function queryFields(hasComputeCap: boolean): string[] {
  return QUERY_FIELDS.filter((f) => hasComputeCap || f !== 'compute_cap');
}

export interface QueryResult {
  driverVersion: string | null;
  gpus: Gpu[];
}

/** nvidia-smi's ways of saying "no value": [N/A], [Not Supported], N/A, [Unknown Error], [Requested functionality…]. */
function isUnknown(value: string): boolean {
  return value === '' || /^\[.*\]$/.test(value) || /^n\/a$/i.test(value);
}

function text(value: string): string | null {
  return isUnknown(value) ? null : value;
}

/** "81559" or "81559 MiB" (a call made without `nounits`) → 81559; unknown → null. */
function mebibytes(value: string): number | null {
  if (isUnknown(value)) return null;
  const m = /^(\d+)(?: MiB)?$/.exec(value);
  return m ? Number(m[1]) : null;
}

function computeCapability(value: string): string | null {
  return /^\d+\.\d+$/.test(value) ? value : null;
}

export class QueryParseError extends Error {}

/** A cell quoted in an error, cut short: a broken wrapper can print anything in any column. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

// nvidia-smi numbers GPUs from 0 and no host holds thousands: a longer number is not an index (and past 2^53
// it would not even survive as one).
const GPU_INDEX = /^\d{1,4}$/;

// NVML's GPU UUID: "GPU-" and 16 bytes in hex, grouped 8-4-4-4-12. The grouping is not checked; the prefix and the
// 32 hex digits are, so an empty cell, [N/A] or a placeholder never reaches CUDA_VISIBLE_DEVICES (where "" would
// hide every GPU from the engine). One UUID on two rows is let through: real reports show it (cloned VM images,
// scrubbed captures), and it does harm only when one engine is to get both GPUs, which engine/environment.ts refuses.
function isGpuUuid(value: string): boolean {
  return /^GPU-[0-9a-f]+(?:-[0-9a-f]+)*$/i.test(value) && value.slice(4).replaceAll('-', '').length === 32;
}

function parseRow(line: string, hasComputeCap: boolean): { gpu: Gpu; driverVersion: string | null } {
  // nvidia-smi separates with ", " and GPU names never hold a comma.
  const cells = line.split(',').map((c) => c.trim());
  const fields = queryFields(hasComputeCap);
  if (cells.length !== fields.length) throw new QueryParseError(`expected ${fields.length} columns, found ${cells.length}`);
  const cell = (f: (typeof QUERY_FIELDS)[number]): string => cells[fields.indexOf(f)] ?? '';
  if (!GPU_INDEX.test(cell('index'))) throw new QueryParseError(`the GPU index is ${quoted(cell('index'))}, not a whole number below 10000`);
  if (!isGpuUuid(cell('uuid'))) throw new QueryParseError(`GPU ${cell('index')} has no valid UUID: ${quoted(cell('uuid'))}`);
  const name = cell('name');
  const pciDeviceId = normalizePciDeviceId(cell('pci.device_id'));
  const known = pciDeviceId === null ? undefined : lookupPciDevice(pciDeviceId);
  const nameFamily = familyFromName(name);
  // One PCI id sold under two names (A2/A16): the name decides between the table's candidates.
  const family = known
    ? (nameFamily !== null && known.alsoSoldAs?.includes(nameFamily) ? nameFamily : known.family)
    : nameFamily;
  return {
    driverVersion: text(cell('driver_version')),
    gpu: {
      index: Number(cell('index')),
      uuid: cell('uuid'),
      name,
      pciDeviceId,
      busId: text(cell('pci.bus_id')),
      memoryTotalMiB: mebibytes(cell('memory.total')),
      memoryUsedMiB: mebibytes(cell('memory.used')),
      memoryFreeMiB: mebibytes(cell('memory.free')),
      computeCapability: (hasComputeCap ? computeCapability(cell('compute_cap')) : null) ?? known?.computeCapability ?? null,
      family,
      migEnabled: cell('mig.mode.current').toLowerCase() === 'enabled',
      migDevices: [],
    },
  };
}

function excerpt(text: string): string {
  const printable = text.replace(/[^\x20-\x7e\n]/g, '?').trim().split('\n').slice(0, 2).join(' | ');
  return printable.length > 120 ? `${printable.slice(0, 117)}...` : printable;
}

/**
 * Parses the `--format=csv,noheader,nounits` answer of the probe call. Throws NimletError 'gpu-probe-failed'
 * quoting a short excerpt when the output is not that table.
 */
export function parseQueryCsv(output: string, options: { hasComputeCap: boolean }): QueryResult {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const fail = (why: string) =>
    new NimletError('gpu-probe-failed', `nvidia-smi printed output nimlet cannot read (${why}): "${excerpt(output)}"`, {
      hint: `run \`nvidia-smi --query-gpu=${queryFields(options.hasComputeCap).join(',')} --format=csv,noheader,nounits\` `
        + 'by hand; a wrapper script named nvidia-smi earlier on PATH, or a driver whose user-space tools do not match '
        + 'its kernel module, prints output like this',
    });
  if (lines.length === 0) throw fail('nothing at all');
  const gpus: Gpu[] = [];
  let driverVersion: string | null = null;
  for (const line of lines) {
    try {
      const row = parseRow(line, options.hasComputeCap);
      // -L is matched to these rows by index, and selection counts each row as a GPU of its own
      if (gpus.some((g) => g.index === row.gpu.index)) throw new QueryParseError(`GPU index ${row.gpu.index} is listed twice`);
      driverVersion ??= row.driverVersion;
      gpus.push(row.gpu);
    } catch (e) {
      if (e instanceof QueryParseError) throw fail(e.message);
      throw e;
    }
  }
  return { driverVersion, gpus };
}
