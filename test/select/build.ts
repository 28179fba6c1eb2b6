// Builders for the selection core's plain inputs: profiles as the manifest reader normalises them, GPUs as
// the probe reports them.
import { createHash } from 'node:crypto';
import { NimletError } from '../../src/errors.js';
import type { Gpu, GpuInventory, MigDevice } from '../../src/gpu/types.js';
import { ENGINES, type Engine, type Profile, type Requirements } from '../../src/manifest/types.js';
import type { SelectRequest } from '../../src/select/types.js';

const num = (v: string | undefined) => (v === undefined ? null : Number(v));

/** A name the way DESIGN §4 builds it (the manifest reader's own function is tested there). */
function nameOf(tags: Record<string, string>): string {
  const parts = [tags.llm_engine ?? tags.backend ?? 'profile'];
  if (tags.gpu) parts.push(tags.gpu.toLowerCase());
  if (tags.precision) parts.push(tags.precision);
  if (tags.tp) parts.push(`tp${tags.tp}`);
  if (tags.pp && tags.pp !== '1') parts.push(`pp${tags.pp}`);
  if (tags.profile) parts.push(tags.profile);
  if (tags.feat_lora === 'true') parts.push('lora');
  return parts.join('-');
}

export function profile(tags: Record<string, string>, more: Partial<Omit<Profile, 'requirements'>> & { requirements?: Partial<Requirements> } = {}): Profile {
  const engine = ENGINES.includes(tags.llm_engine as Engine) ? (tags.llm_engine as Engine) : null;
  const name = more.name ?? nameOf(tags);
  return {
    id: more.id ?? createHash('sha256').update(JSON.stringify(tags)).digest('hex'),
    name,
    tags,
    engine,
    precision: tags.precision ?? null,
    tp: num(tags.tp),
    pp: num(tags.pp),
    numberOfGpus: num(tags.number_of_gpus),
    gpu: tags.gpu?.toUpperCase() ?? null,
    gpuDevice: tags.gpu_device?.toLowerCase() ?? null,
    optimization: tags.profile ?? null,
    lora: tags.feat_lora === 'true',
    files: [],
    engineSettings: { args: [], env: {} },
    location: { file: 'model_manifest.yaml', line: 1 },
    ...more,
    requirements: { minGpuMemoryMiB: null, minDriver: null, minComputeCapability: null, ...more.requirements },
  };
}

const MODELS = {
  H100: { name: 'NVIDIA H100 80GB HBM3', pciDeviceId: '2330:10de', family: 'H100', computeCapability: '9.0', memoryTotalMiB: 81559 },
  H100_NVL: { name: 'NVIDIA H100 NVL', pciDeviceId: '2321:10de', family: 'H100_NVL', computeCapability: '9.0', memoryTotalMiB: 95830 },
  L40S: { name: 'NVIDIA L40S', pciDeviceId: '26b9:10de', family: 'L40S', computeCapability: '8.9', memoryTotalMiB: 46068 },
  L40: { name: 'NVIDIA L40', pciDeviceId: '26b5:10de', family: 'L40', computeCapability: '8.9', memoryTotalMiB: 46068 },
  A10G: { name: 'NVIDIA A10G', pciDeviceId: '2237:10de', family: 'A10G', computeCapability: '8.6', memoryTotalMiB: 23028 },
  A40: { name: 'NVIDIA A40', pciDeviceId: '2235:10de', family: 'A40', computeCapability: '8.6', memoryTotalMiB: 46068 },
  T4: { name: 'Tesla T4', pciDeviceId: '1eb8:10de', family: 'T4', computeCapability: '7.5', memoryTotalMiB: 15360 },
  P400: { name: 'Quadro P400', pciDeviceId: '1cb3:10de', family: null, computeCapability: '6.1', memoryTotalMiB: 2048 },
  B200: { name: 'NVIDIA B200', pciDeviceId: '2901:10de', family: 'B200', computeCapability: '10.0', memoryTotalMiB: 183359 },
} as const;

export type Model = keyof typeof MODELS;

export function gpu(index: number, model: Model, more: Partial<Gpu> = {}): Gpu {
  const m = MODELS[model];
  return {
    index,
    uuid: `GPU-${model}-${index}`,
    busId: `00000000:${String(index).padStart(2, '0')}:00.0`,
    memoryUsedMiB: 1,
    memoryFreeMiB: m.memoryTotalMiB - 1,
    migEnabled: false,
    migDevices: [],
    ...m,
    ...more,
  };
}

export function mig(index: number, profileName: string): MigDevice {
  return { uuid: `MIG-${index}-${profileName}`, profile: profileName, index };
}

export function host(gpus: Gpu[], more: Partial<GpuInventory> = {}): GpuInventory {
  return { driverVersion: '565.57.01', gpus, absentReason: null, ...more };
}

export function many(model: Model, n: number): Gpu[] {
  return Array.from({ length: n }, (_, i) => gpu(i, model));
}

export function request(more: Partial<SelectRequest> = {}): SelectRequest {
  return { pin: null, lora: false, allowUnsafe: false, tensorParallelSize: null, ...more };
}

/** The NimletError `fn` throws; fails the test when it returns or throws something else. */
export function thrown(fn: () => unknown): NimletError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NimletError) return e;
    throw e;
  }
  throw new Error('did not throw');
}
