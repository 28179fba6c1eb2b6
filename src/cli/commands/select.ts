// nimlet select: the profile serve would run, on which GPUs, and why. Nothing runnable: exit 69 with every
// profile's reason (thrown by chooseProfile, printed by the CLI's top level).
import { chooseProfile, describeEvaluations } from '../../select/select.js';
import type { Selection } from '../../select/types.js';
import type { CommandRun } from '../context.js';
import { prepareSelection } from '../prepare-selection.js';

export function selectionJson(s: Selection): Record<string, unknown> {
  return {
    id: s.profile.id,
    name: s.profile.name,
    tags: s.profile.tags,
    gpus: s.gpus,
    deviceUuids: s.deviceUuids,
    cudaDevices: s.cudaDevices,
    status: s.status,
    tp: s.tp,
    pp: s.pp,
    reasons: [...s.why, ...s.reasons],
  };
}

export const run: CommandRun = async (ctx, options) => {
  const { inventory, evaluations, request } = await prepareSelection(ctx, options, 'strict');
  const selection = chooseProfile(evaluations, inventory, request);
  if (options.json) {
    ctx.stdout(JSON.stringify(selectionJson(selection), null, 2) + '\n');
    return 0;
  }
  const lines = [
    `Selected profile: ${selection.profile.id} (${selection.profile.name})`,
    `GPUs: ${selection.gpus.length ? selection.gpus.join(', ') : 'none'}${selection.cudaDevices.length ? ` (CUDA_VISIBLE_DEVICES=${selection.cudaDevices.join(',')})` : ''}`,
    'Why:',
    ...[...selection.why, ...selection.reasons].map((r) => `  - ${r}`),
  ];
  if (options.explain) {
    const others = evaluations.filter((e) => e.profile.id !== selection.profile.id);
    lines.push(`Other profiles (${others.length}):`, ...describeEvaluations(others, request).map((d) => `  - ${d}`));
  }
  ctx.stdout(lines.join('\n') + '\n');
  return 0;
};
