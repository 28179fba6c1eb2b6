// Builders for the selection core's plain inputs: profiles as the manifest reader normalises them, GPUs as
// the probe reports them.
import { NimletError } from '../../src/errors.js';
import type { Gpu, GpuInventory, MigDevice } from '../../src/gpu/types.js';
import type { SelectRequest } from '../../src/select/types.js';

/** Profiles as the manifest reader normalises them: the one builder, on the real buildProfile. */
export { profileFromTags as profile } from '../support/profile.js';

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
