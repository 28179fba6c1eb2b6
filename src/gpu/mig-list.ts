// Reads the MIG devices out of `nvidia-smi -L`, asked only when some GPU has MIG enabled.
import type { Gpu, MigDevice } from './types.js';

export interface ListedGpu {
  index: number;
  uuid: string;
  migDevices: MigDevice[];
}

// "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)"
const GPU_LINE = /^GPU (\d+): .*\(UUID: (GPU-[^)\s]+)\)\s*$/;
// "  MIG 3g.40gb     Device  0: (UUID: MIG-…)"; compute-instance profiles read "MIG 1c.3g.71gb"; drivers before
// R470 wrote MIG UUIDs as "MIG-GPU-<uuid>/<gi>/<ci>".
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)\s]+)\)\s*$/;

/** Every GPU line of `nvidia-smi -L` with the MIG devices listed under it. Lines it does not know are skipped. */
export function parseMigList(output: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of output.split(/\r?\n/)) {
    const g = GPU_LINE.exec(line);
    if (g) {
      gpus.push({ index: Number(g[1]), uuid: g[2]!, migDevices: [] });
      continue;
    }
    const m = MIG_LINE.exec(line);
    const parent = gpus.at(-1);
    if (m && parent) parent.migDevices.push({ profile: m[1]!, index: Number(m[2]), uuid: m[3]! });
  }
  return gpus;
}

/** The GPUs with their MIG devices filled in from the -L listing (matched by index, the one key -L and the query share). */
export function attachMigDevices(gpus: readonly Gpu[], listed: readonly ListedGpu[]): Gpu[] {
  return gpus.map((gpu) => {
    if (!gpu.migEnabled) return gpu;
    const entry = listed.find((l) => l.index === gpu.index);
    return { ...gpu, migDevices: entry ? entry.migDevices : [] };
  });
}
