// Doctor: the driver answers, and which GPUs count.
import type { Env } from '../../config/read.js';
import type { GpuVisibility } from '../../config/visible-devices.js';
import { isNimletError } from '../../errors.js';
import { probeGpus } from '../../gpu/probe.js';
import type { Gpu, GpuInventory } from '../../gpu/types.js';
import { check, type Check } from './check.js';

function summarise(gpus: readonly Gpu[]): string {
  const groups = new Map<string, number>();
  for (const g of gpus) {
    const key = `${g.name} (${g.pciDeviceId ?? 'PCI id unknown'}, cc ${g.computeCapability ?? '?'}${g.migEnabled ? `, MIG: ${g.migDevices.length} devices` : ''})`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([k, n]) => `${n} × ${k}`).join('; ');
}

function gpuCheck(inv: GpuInventory): Check {
  if (inv.gpus.length === 0) {
    return check('gpus', 'fail', `no GPU is visible: ${inv.absentReason ?? 'nvidia-smi listed none'}`,
      'unset NVIDIA_VISIBLE_DEVICES / CUDA_VISIBLE_DEVICES, or set them to GPUs that `nvidia-smi -L` lists');
  }
  const old = inv.gpus.filter((g) => g.computeCapability !== null && Number(g.computeCapability) < 7);
  if (old.length > 0) {
    return check('gpus', 'warn', `${summarise(inv.gpus)}; GPU ${old.map((g) => g.index).join(', ')} below compute capability 7.0`,
      'profiles need compute capability 7.0 or higher: those GPUs will never be chosen');
  }
  return check('gpus', 'ok', summarise(inv.gpus));
}

export async function checkGpus(env: Env, visibility: GpuVisibility, timeoutMs: number): Promise<Check[]> {
  try {
    const inv = await probeGpus({ env, visibility, timeoutMs });
    return [check('driver', 'ok', `NVIDIA driver ${inv.driverVersion ?? '(version unknown)'}`), gpuCheck(inv)];
  } catch (e) {
    if (!isNimletError(e)) throw e;
    const failed = check('driver', 'fail', e.message, e.hint);
    return [failed, check('gpus', 'fail', 'not probed: nvidia-smi did not answer')];
  }
}
