// The devices a profile can be placed on: whole GPUs grouped by model, and MIG devices. A profile runs on
// `count` units of ONE pool, so a tp-2 engine never straddles an H100 and an L40S.
import type { Gpu, GpuInventory } from '../gpu/types.js';

export interface Unit {
  /** nvidia-smi index of the GPU (the parent GPU for a MIG device). */
  gpuIndex: number;
  /** What CUDA_VISIBLE_DEVICES gets: GPU-… or MIG-… */
  uuid: string;
  /** How messages name it: "GPU 0", "MIG device 2 (1g.10gb) of GPU 0". */
  label: string;
  computeCapability: string | null;
  memoryFreeMiB: number | null;
}

export interface Pool {
  /** What the pool's GPUs are, for messages: "2330:10de (NVIDIA H100 80GB HBM3)". */
  label: string;
  mig: boolean;
  units: Unit[];
}

/** Identity of a GPU model: the PCI id; the family read from the name when the id is unknown or masked. */
export function modelKey(gpu: Gpu): string {
  return gpu.pciDeviceId ?? `name:${gpu.family ?? gpu.name}`;
}

export function modelLabel(gpu: Gpu): string {
  return gpu.pciDeviceId === null ? gpu.name : `${gpu.pciDeviceId} (${gpu.name})`;
}

export function wholeGpuUnit(gpu: Gpu): Unit {
  return {
    gpuIndex: gpu.index,
    uuid: gpu.uuid,
    label: `GPU ${gpu.index}`,
    computeCapability: gpu.computeCapability,
    memoryFreeMiB: gpu.memoryFreeMiB,
  };
}

/** A MIG device's memory as its profile names it (1g.10gb → 10240 MiB); nvidia-smi -L gives no free memory. */
function migMemoryMiB(profile: string): number | null {
  const m = /(\d+)gb$/i.exec(profile);
  return m ? Number(m[1]) * 1024 : null;
}

/** Whole, non-MIG GPUs grouped by model, pools in order of their lowest index. */
export function wholeGpuPools(gpus: readonly Gpu[], accept: (gpu: Gpu) => boolean = () => true): Pool[] {
  const pools = new Map<string, Pool>();
  for (const gpu of [...gpus].sort((a, b) => a.index - b.index)) {
    if (gpu.migEnabled || !accept(gpu)) continue;
    const key = modelKey(gpu);
    let pool = pools.get(key);
    if (!pool) pools.set(key, (pool = { label: modelLabel(gpu), mig: false, units: [] }));
    pool.units.push(wholeGpuUnit(gpu));
  }
  return [...pools.values()];
}

/** One pool per GPU in MIG mode that has MIG devices; each device counts as one GPU with its parent's capability. */
export function migPools(gpus: readonly Gpu[]): Pool[] {
  return [...gpus]
    .sort((a, b) => a.index - b.index)
    .filter((gpu) => gpu.migEnabled && gpu.migDevices.length > 0)
    .map((gpu) => ({
      label: `MIG devices of GPU ${gpu.index} (${gpu.name})`,
      mig: true,
      units: [...gpu.migDevices]
        .sort((a, b) => a.index - b.index)
        .map((d) => ({
          gpuIndex: gpu.index,
          uuid: d.uuid,
          label: `MIG device ${d.index} (${d.profile}) of GPU ${gpu.index}`,
          computeCapability: gpu.computeCapability,
          memoryFreeMiB: migMemoryMiB(d.profile),
        })),
    }));
}

/** "2 × 2330:10de (NVIDIA H100 80GB HBM3), 1 × 26b9:10de (NVIDIA L40S)": what this host has, for "found 0" messages. */
export function describeHostGpus(inventory: GpuInventory): string {
  const counts = new Map<string, number>();
  for (const gpu of inventory.gpus) {
    const label = gpu.migEnabled ? `${modelLabel(gpu)} in MIG mode` : modelLabel(gpu);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => `${n} × ${label}`).join(', ');
}
