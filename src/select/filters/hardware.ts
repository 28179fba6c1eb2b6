// Filter: the GPU model and count. With `gpu_device`, only GPUs whose PCI id is exactly it (an L40 is no L40S);
// with only `gpu`, the family from the PCI table; a GPU whose PCI id is unknown or masked is matched by the family
// read from its name. A GPU in MIG mode is no whole GPU: hardware-specific profiles never use it, and its MIG
// devices serve generic single-GPU profiles only.
import type { Gpu, GpuInventory } from '../../gpu/types.js';
import type { Profile } from '../../manifest/types.js';
import { describeHostGpus, migPools, wholeGpuPools, type Pool } from '../units.js';

export interface Demand {
  /** GPUs needed: number_of_gpus, else tp × pp. */
  count: number;
  tp: number;
  pp: number;
}

export interface HardwareMatch {
  /** Pools with at least `count` units, best first (whole GPUs by lowest index, then MIG devices). */
  pools: Pool[];
  /** Why none fits; empty when some pool does. */
  reasons: string[];
}

export function isHardwareSpecific(profile: Profile): boolean {
  return profile.gpuDevice !== null || profile.gpu !== null;
}

/** What the profile asks for, as messages name it: "2330:10de (H100)", "H100", "2330:10de". */
export function wantedLabel(profile: Profile): string {
  if (profile.gpuDevice !== null) return profile.gpu === null ? profile.gpuDevice : `${profile.gpuDevice} (${profile.gpu})`;
  return profile.gpu ?? 'any GPU';
}

export function gpuMatchesProfile(profile: Profile, gpu: Gpu): boolean {
  const family = gpu.family?.toUpperCase() ?? null;
  const wantedFamily = profile.gpu?.toUpperCase() ?? null;
  if (gpu.pciDeviceId !== null && profile.gpuDevice !== null) return gpu.pciDeviceId === profile.gpuDevice.toLowerCase();
  // Only `gpu` given, or the GPU's id is unknown/masked: the family (from the PCI table, else the name), exactly.
  return wantedFamily !== null && family === wantedFamily;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function matchHardware(profile: Profile, inventory: GpuInventory, demand: Demand): HardwareMatch {
  if (inventory.gpus.length === 0) {
    return { pools: [], reasons: [`no GPU: ${inventory.absentReason ?? 'nvidia-smi lists none'}`] };
  }
  return isHardwareSpecific(profile) ? matchSpecific(profile, inventory, demand) : matchGeneric(inventory, demand);
}

function matchSpecific(profile: Profile, inventory: GpuInventory, { count }: Demand): HardwareMatch {
  const matching = inventory.gpus.filter((gpu) => gpuMatchesProfile(profile, gpu));
  const pools = wholeGpuPools(matching);
  const fitting = pools.filter((p) => p.units.length >= count);
  if (fitting.length > 0) return { pools: fitting, reasons: [] };
  const reasons = matching.filter((g) => g.migEnabled).map((g) => `GPU ${g.index} is in MIG mode`);
  const found = Math.max(0, ...pools.map((p) => p.units.length));
  const host = found === 0 && reasons.length === 0 ? `; this host has ${describeHostGpus(inventory)}` : '';
  reasons.push(`needs ${count} × ${wantedLabel(profile)}, found ${found}${host}`);
  return { pools: [], reasons };
}

function matchGeneric(inventory: GpuInventory, { count, tp, pp }: Demand): HardwareMatch {
  const single = count === 1 && tp === 1 && pp === 1;
  const pools = [...wholeGpuPools(inventory.gpus), ...(single ? migPools(inventory.gpus) : [])];
  const fitting = pools.filter((p) => p.units.length >= count);
  if (fitting.length > 0) return { pools: fitting, reasons: [] };
  const reasons: string[] = [];
  for (const gpu of inventory.gpus.filter((g) => g.migEnabled)) {
    if (!single) {
      reasons.push(`GPU ${gpu.index} is in MIG mode: its MIG devices take only single-GPU profiles (tp 1, pp 1); this one needs tp ${tp} × pp ${pp}`);
    } else if (gpu.migDevices.length === 0) {
      reasons.push(`GPU ${gpu.index} is in MIG mode with no MIG devices`);
    }
  }
  const found = Math.max(0, ...pools.filter((p) => !p.mig).map((p) => p.units.length));
  reasons.push(`needs ${plural(count, 'GPU')} of one model, found ${found}`);
  return { pools: [], reasons };
}
