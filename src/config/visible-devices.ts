// NVIDIA_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES (DESIGN §5), read into device lists: GPU indices, GPU-/MIG- UUIDs,
// and (NVIDIA's only) MIG `gpu:mig` pairs. A value that is no such list is exit 78 here, before the probe: a typo
// must not pass unnoticed on a host where nvidia-smi is missing or failing, and then pick GPUs once it works.
// Which GPUs a list names is the probe's business (gpu/visible-devices.ts).
import { NimletError } from '../errors.js';
import type { Env } from './read.js';

export type DeviceSelector =
  | { kind: 'index'; index: number }
  | { kind: 'mig-index'; index: number; mig: number }
  | { kind: 'uuid'; uuid: string };

export type VisibilityVariable = 'NVIDIA_VISIBLE_DEVICES' | 'CUDA_VISIBLE_DEVICES';

/** One variable as given (trimmed): every GPU hidden, or the devices it names. */
export type DeviceList =
  | { name: VisibilityVariable; value: string; hidesAll: true }
  | { name: VisibilityVariable; value: string; hidesAll: false; selectors: DeviceSelector[] };

/** null: the variable does not restrict anything (unset; NVIDIA's also empty or `all`). */
export interface GpuVisibility {
  nvidia: DeviceList | null;
  cuda: DeviceList | null;
}

export function badDeviceList(name: VisibilityVariable, value: string, why: string): NimletError {
  return new NimletError('bad-config', `${name}=${JSON.stringify(value)} is not valid: ${why}`, {
    hint: `set ${name} to GPU indices or GPU-/MIG- UUIDs that \`nvidia-smi -L\` lists, or unset it`,
  });
}

function parseSelectors(name: VisibilityVariable, value: string, allowMigIndex: boolean): DeviceSelector[] {
  return value.split(',').map((raw) => {
    const item = raw.trim();
    if (/^\d+$/.test(item)) return { kind: 'index', index: Number(item) };
    const mi = /^(\d+):(\d+)$/.exec(item);
    if (mi && allowMigIndex) return { kind: 'mig-index', index: Number(mi[1]), mig: Number(mi[2]) };
    if (/^(GPU|MIG)-\S+$/i.test(item)) return { kind: 'uuid', uuid: item };
    throw badDeviceList(name, value, `${JSON.stringify(item)} is neither a GPU index nor a GPU-/MIG- UUID`);
  });
}

/** NVIDIA's runtime reads `all`, `none` and `void`; empty is as unset (the toolkit injected nothing itself). */
function readNvidia(raw: string | undefined): DeviceList | null {
  const value = raw?.trim() ?? '';
  const word = value.toLowerCase();
  if (value === '' || word === 'all') return null;
  const name = 'NVIDIA_VISIBLE_DEVICES';
  if (word === 'none' || word === 'void') return { name, value, hidesAll: true };
  return { name, value, hidesAll: false, selectors: parseSelectors(name, value, true) };
}

/** CUDA's own reading: set but empty, or -1, means no device at all. */
function readCuda(raw: string | undefined): DeviceList | null {
  if (raw === undefined) return null;
  const value = raw.trim();
  const name = 'CUDA_VISIBLE_DEVICES';
  if (value === '' || value === '-1') return { name, value, hidesAll: true };
  return { name, value, hidesAll: false, selectors: parseSelectors(name, value, false) };
}

export function readGpuVisibility(env: Env): GpuVisibility {
  return { nvidia: readNvidia(env.NVIDIA_VISIBLE_DEVICES), cuda: readCuda(env.CUDA_VISIBLE_DEVICES) };
}
