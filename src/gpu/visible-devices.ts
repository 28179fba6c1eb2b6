// NVIDIA_VISIBLE_DEVICES, then CUDA_VISIBLE_DEVICES, restrict the GPUs that count (DESIGN §5). Both name GPUs by
// nvidia-smi index or UUID; a MIG-… UUID keeps only that MIG device of its parent. A value naming no GPU here is an
// error naming the variable (exit 78): a silently ignored pin would put a model on the wrong card.
import type { Env } from '../config/env.js';
import { NimletError } from '../errors.js';
import type { Gpu } from './types.js';

export interface Visibility {
  gpus: Gpu[];
  /** Why no GPU is left, when the variables hid every one; else null. */
  absentReason: string | null;
}

type Selector =
  | { kind: 'index'; index: number }
  | { kind: 'mig-index'; index: number; mig: number }
  | { kind: 'uuid'; uuid: string };

function badValue(name: string, value: string, why: string): NimletError {
  return new NimletError('bad-config', `${name}=${JSON.stringify(value)} is not valid: ${why}`, {
    hint: `set ${name} to GPU indices or GPU-/MIG- UUIDs that \`nvidia-smi -L\` lists, or unset it`,
  });
}

function parseSelectors(name: string, value: string, allowMigIndex: boolean): Selector[] {
  return value.split(',').map((raw) => {
    const item = raw.trim();
    if (/^\d+$/.test(item)) return { kind: 'index', index: Number(item) };
    const mi = /^(\d+):(\d+)$/.exec(item);
    if (mi && allowMigIndex) return { kind: 'mig-index', index: Number(mi[1]), mig: Number(mi[2]) };
    if (/^(GPU|MIG)-\S+$/i.test(item)) return { kind: 'uuid', uuid: item };
    throw badValue(name, value, `${JSON.stringify(item)} is neither a GPU index nor a GPU-/MIG- UUID`);
  });
}

interface Pick {
  whole: boolean;
  mig: Set<string>;
}

/** Keeps the GPUs (and MIG devices) the selectors name, in nvidia-smi order. */
function select(name: string, value: string, gpus: readonly Gpu[], selectors: readonly Selector[]): Gpu[] {
  const picks = new Map<Gpu, Pick>();
  const pick = (gpu: Gpu): Pick => picks.get(gpu) ?? picks.set(gpu, { whole: false, mig: new Set() }).get(gpu)!;
  const seen = gpus.map((g) => g.index).join(', ');
  for (const s of selectors) {
    if (s.kind === 'index' || s.kind === 'mig-index') {
      const gpu = gpus.find((g) => g.index === s.index);
      if (!gpu) throw badValue(name, value, `no GPU with index ${s.index} here (indices: ${seen || 'none'})`);
      if (s.kind === 'index') pick(gpu).whole = true;
      else {
        const mig = gpu.migDevices.find((m) => m.index === s.mig);
        if (!mig) throw badValue(name, value, `GPU ${s.index} has no MIG device ${s.mig}`);
        pick(gpu).mig.add(mig.uuid);
      }
      continue;
    }
    const want = s.uuid.toLowerCase();
    if (want.startsWith('mig-')) {
      const owner = gpus.find((g) => g.migDevices.some((m) => m.uuid.toLowerCase() === want));
      if (!owner) throw badValue(name, value, `no MIG device ${s.uuid} here`);
      pick(owner).mig.add(owner.migDevices.find((m) => m.uuid.toLowerCase() === want)!.uuid);
      continue;
    }
    // CUDA accepts a unique UUID prefix; an exact match wins (some hosts report one UUID twice).
    const exact = gpus.filter((g) => g.uuid.toLowerCase() === want);
    const found = exact.length > 0 ? exact : gpus.filter((g) => g.uuid.toLowerCase().startsWith(want));
    if (found.length === 0) throw badValue(name, value, `no GPU ${s.uuid} here`);
    if (exact.length === 0 && new Set(found.map((g) => g.uuid)).size > 1) {
      throw badValue(name, value, `${s.uuid} is the start of several GPUs' UUIDs`);
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
function appliedByRuntime(selectors: readonly Selector[], gpus: readonly Gpu[]): boolean {
  if (!selectors.every((s) => s.kind === 'index')) return false;
  return new Set(selectors.map((s) => (s.kind === 'index' ? s.index : -1))).size === gpus.length;
}

/**
 * Refuses a visibility variable that is no list of indices and UUIDs at all (78), before the probe: a typo must
 * not pass unnoticed on a host where nvidia-smi is missing or failing, and then pick GPUs once it works.
 */
export function checkVisibilitySyntax(env: Env): void {
  const nvidia = env.NVIDIA_VISIBLE_DEVICES?.trim();
  if (nvidia && !['all', 'none', 'void'].includes(nvidia.toLowerCase())) parseSelectors('NVIDIA_VISIBLE_DEVICES', nvidia, true);
  const cuda = env.CUDA_VISIBLE_DEVICES?.trim();
  if (cuda && cuda !== '-1') parseSelectors('CUDA_VISIBLE_DEVICES', cuda, false);
}

/** Applies NVIDIA_VISIBLE_DEVICES (`all`, `none`, `void`, a list; empty is unset) then CUDA_VISIBLE_DEVICES. */
export function applyVisibility(gpus: readonly Gpu[], env: Env): Visibility {
  let visible = [...gpus];
  const nvidia = env.NVIDIA_VISIBLE_DEVICES?.trim();
  // Empty or unset: the container toolkit injected nothing itself, so what nvidia-smi sees is what counts.
  if (nvidia !== undefined && nvidia !== '' && nvidia.toLowerCase() !== 'all') {
    if (['none', 'void'].includes(nvidia.toLowerCase())) {
      return { gpus: [], absentReason: `NVIDIA_VISIBLE_DEVICES=${nvidia} hides every GPU` };
    }
    const selectors = parseSelectors('NVIDIA_VISIBLE_DEVICES', nvidia, true);
    if (!appliedByRuntime(selectors, visible)) visible = select('NVIDIA_VISIBLE_DEVICES', nvidia, visible, selectors);
  }
  const cuda = env.CUDA_VISIBLE_DEVICES?.trim();
  if (cuda !== undefined) {
    // CUDA's own reading: set but empty, or -1, means no device at all.
    if (cuda === '' || cuda === '-1') {
      return { gpus: [], absentReason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(cuda)} hides every GPU` };
    }
    visible = select('CUDA_VISIBLE_DEVICES', cuda, visible, parseSelectors('CUDA_VISIBLE_DEVICES', cuda, false));
  }
  return { gpus: visible, absentReason: null };
}
