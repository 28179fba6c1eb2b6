// What the engine's CUDA_VISIBLE_DEVICES names (DESIGN §8). vLLM releases before mid-2026 and SGLang's custom
// all-reduce call int() on each entry, so whole GPUs go as nvidia-smi indices (with CUDA_DEVICE_ORDER=PCI_BUS_ID
// CUDA numbers them as nvidia-smi does). A MIG device has no index CUDA accepts, only its MIG-… UUID; the same vLLM
// releases crash on it (vllm #41848, fixed by PR #46132, newer than the releases nimlet supports), so vLLM runs on
// MIG only where the container exposes exactly that one device, which CUDA then calls 0. Pure.
import type { GpuInventory } from '../gpu/types.js';
import type { Profile } from '../manifest/types.js';
import type { Unit } from './units.js';

const isMig = (u: Unit): boolean => u.uuid.startsWith('MIG-');

/** How many devices the engine could see: whole GPUs, and each MIG device of a GPU in MIG mode. */
function visibleDeviceCount(inventory: GpuInventory): number {
  return inventory.gpus.reduce((n, g) => n + (g.migEnabled ? g.migDevices.length : 1), 0);
}

/** Why vLLM cannot run on these units here; null when it can. */
export function vllmMigBlocker(profile: Profile, units: readonly Unit[], inventory: GpuInventory): string | null {
  const mig = units.find(isMig);
  if (profile.engine !== 'vllm' || mig === undefined || visibleDeviceCount(inventory) === 1) return null;
  return `vLLM cannot be pinned to one MIG device (${mig.label}) of several: it reads CUDA_VISIBLE_DEVICES as indices `
    + `(vllm #41848); expose only that device to the container (docker run --gpus '"device=${mig.uuid}"', or `
    + `NVIDIA_VISIBLE_DEVICES=${mig.uuid}) and it runs there as device 0`;
}

export function cudaDevices(profile: Profile, units: readonly Unit[]): string[] {
  return units.map((u) => (isMig(u) ? (profile.engine === 'vllm' ? '0' : u.uuid) : String(u.gpuIndex)));
}
