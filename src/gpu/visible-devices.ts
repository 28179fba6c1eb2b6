// NVIDIA_VISIBLE_DEVICES, then CUDA_VISIBLE_DEVICES, restrict the GPUs that count (DESIGN §5). Both name GPUs by
// nvidia-smi index or UUID; a MIG-… UUID keeps only that MIG device of its parent. A value naming no GPU here is an
// error naming the variable (exit 78): a silently ignored pin would put a model on the wrong card.
import { badDeviceList, type DeviceList, type DeviceSelector, type GpuVisibility } from '../config/visible-devices.js';
import type { Gpu } from './types.js';

export interface Visibility {
  gpus: Gpu[];
  /** Why no GPU is left, when the variables hid every one; else null. */
  absentReason: string | null;
}

interface Pick {
  whole: boolean;
  mig: Set<string>;
}

/** Keeps the GPUs (and MIG devices) the selectors name, in nvidia-smi order. */
function select(list: DeviceList & { hidesAll: false }, gpus: readonly Gpu[]): Gpu[] {
  const { name, value, selectors } = list;
  const picks = new Map<Gpu, Pick>();
  const pick = (gpu: Gpu): Pick => picks.get(gpu) ?? picks.set(gpu, { whole: false, mig: new Set() }).get(gpu)!;
  const seen = gpus.map((g) => g.index).join(', ');
  for (const s of selectors) {
    if (s.kind === 'index' || s.kind === 'mig-index') {
      const gpu = gpus.find((g) => g.index === s.index);
      if (!gpu) throw badDeviceList(name, value, `no GPU with index ${s.index} here (indices: ${seen || 'none'})`);
      if (s.kind === 'index') pick(gpu).whole = true;
      else {
        const mig = gpu.migDevices.find((m) => m.index === s.mig);
        if (!mig) throw badDeviceList(name, value, `GPU ${s.index} has no MIG device ${s.mig}`);
        pick(gpu).mig.add(mig.uuid);
      }
      continue;
    }
    const want = s.uuid.toLowerCase();
    if (want.startsWith('mig-')) {
      const owner = gpus.find((g) => g.migDevices.some((m) => m.uuid.toLowerCase() === want));
      if (!owner) throw badDeviceList(name, value, `no MIG device ${s.uuid} here`);
      pick(owner).mig.add(owner.migDevices.find((m) => m.uuid.toLowerCase() === want)!.uuid);
      continue;
    }
    // CUDA accepts a unique UUID prefix; an exact match wins (some hosts report one UUID twice).
    const exact = gpus.filter((g) => g.uuid.toLowerCase() === want);
    const found = exact.length > 0 ? exact : gpus.filter((g) => g.uuid.toLowerCase().startsWith(want));
    if (found.length === 0) throw badDeviceList(name, value, `no GPU ${s.uuid} here`);
    if (exact.length === 0 && new Set(found.map((g) => g.uuid)).size > 1) {
      throw badDeviceList(name, value, `${s.uuid} is the start of several GPUs' UUIDs`);
    }
    for (const gpu of found) pick(gpu).whole = true;
  }
  return gpus.flatMap((gpu) => {
    const p = picks.get(gpu);
    if (!p) return [];
    if (p.whole) return [gpu];
    return [{ ...gpu, migDevices: gpu.migDevices.filter((m) => p.mig.has(m.uuid)) }];
  });
}

/**
 * Indices in NVIDIA_VISIBLE_DEVICES name host GPUs. In a container the NVIDIA runtime has already applied them
 * and nvidia-smi numbers what is left from 0 (`docker run --gpus '"device=1"'` shows one GPU, index 0): when it
 * shows exactly as many GPUs as the list names, the list is taken as applied. On a host without the runtime
 * nvidia-smi shows them all, and the indices select as CUDA's do.
 */
function appliedByRuntime(selectors: readonly DeviceSelector[], gpus: readonly Gpu[]): boolean {
  if (!selectors.every((s) => s.kind === 'index')) return false;
  return new Set(selectors.map((s) => (s.kind === 'index' ? s.index : -1))).size === gpus.length;
}

/** Applies NVIDIA_VISIBLE_DEVICES, then CUDA_VISIBLE_DEVICES, as config/visible-devices.ts read them. */
export function applyVisibility(gpus: readonly Gpu[], visibility: GpuVisibility): Visibility {
  let visible = [...gpus];
  const { nvidia, cuda } = visibility;
  if (nvidia?.hidesAll) return { gpus: [], absentReason: `NVIDIA_VISIBLE_DEVICES=${nvidia.value} hides every GPU` };
  if (nvidia && !appliedByRuntime(nvidia.selectors, visible)) visible = select(nvidia, visible);
  if (cuda?.hidesAll) return { gpus: [], absentReason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(cuda.value)} hides every GPU` };
  if (cuda) visible = select(cuda, visible);
  return { gpus: visible, absentReason: null };
}
