// nimlet gpus [--json]: what the GPU probe found. The --json path loads only the probe (startup is measured
// against a bare `node -e 0` plus one nvidia-smi call); host facts load systeminformation for the text output only.
import { NimletError } from '../../errors.js';
import { inventoryToJson } from '../../gpu/format.js';
import { probeGpus } from '../../gpu/probe.js';
import type { CommandRun } from '../context.js';
import { commandSettings } from '../settings.js';

export const run: CommandRun = async (ctx, options) => {
  const settings = commandSettings(ctx, options);
  const inventory = await probeGpus({ env: ctx.env, visibility: settings.gpuVisibility, timeoutMs: settings.probeTimeoutMs });
  if (inventory.gpus.length === 0) {
    throw new NimletError('no-gpu', `no GPU is visible: ${inventory.absentReason ?? 'nvidia-smi listed none'}`, {
      hint: 'unset NVIDIA_VISIBLE_DEVICES / CUDA_VISIBLE_DEVICES, or set them to GPUs that `nvidia-smi -L` lists',
    });
  }
  if (options.json) {
    ctx.stdout(JSON.stringify(inventoryToJson(inventory), null, 2) + '\n');
    return 0;
  }
  const [{ formatInventory }, { describeHost }, { formatHostFacts }] = await Promise.all([
    import('../../gpu/format.js'),
    import('../../host/facts.js'),
    import('../../host/format.js'),
  ]);
  const facts = await describeHost(settings.cacheDir);
  ctx.stdout([...formatInventory(inventory), '', ...formatHostFacts(facts)].join('\n') + '\n');
  return 0;
};
