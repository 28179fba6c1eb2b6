// list-model-profiles as NIM prints it (SYSTEM INFO, then MODEL PROFILES grouped), plus what NIM leaves out:
// each profile's first reason on its line, and every reason with --explain. Pure: text lines out.
import type { Gpu, GpuInventory } from '../gpu/types.js';
import { loraMismatch } from './select.js';
import type { Evaluation, SelectRequest, Selection } from './types.js';

const NONE = '<None>';

function gpuLine(gpu: Gpu): string[] {
  const id = gpu.pciDeviceId ?? 'unknown id';
  const family = gpu.family !== null && gpu.family !== gpu.name ? ` (${gpu.family})` : '';
  const facts = [`compute capability ${gpu.computeCapability ?? 'unknown'}`];
  if (gpu.migEnabled) facts.push(`MIG mode, ${gpu.migDevices.length} MIG device${gpu.migDevices.length === 1 ? '' : 's'}`);
  else if (gpu.memoryFreeMiB !== null) facts.push(`${gpu.memoryFreeMiB} MiB free of ${gpu.memoryTotalMiB ?? '?'}`);
  else facts.push('free memory unknown');
  const lines = [`  -  [${id}] (${gpu.index}) ${gpu.name}${family} [${facts.join(', ')}]`];
  for (const m of gpu.migDevices) lines.push(`    - MIG ${m.profile} (${gpu.index}:${m.index}) ${m.uuid}`);
  return lines;
}

export function formatSystemInfo(inventory: GpuInventory): string[] {
  const lines = ['SYSTEM INFO'];
  if (inventory.gpus.length === 0) {
    lines.push(`- Free GPUs: ${NONE}`, `  ${inventory.absentReason ?? 'nvidia-smi lists no GPU'}`);
  } else {
    // NIM sorts GPUs into free and non-free by utilisation; nimlet never lets utilisation decide, so all are listed.
    lines.push('- Free GPUs:', ...[...inventory.gpus].sort((a, b) => a.index - b.index).flatMap(gpuLine));
  }
  return lines;
}

export interface ListingOptions {
  selection: Selection | null;
  request: Pick<SelectRequest, 'lora'>;
  explain: boolean;
}

/** Every reason worth showing for one profile under --explain. */
function allReasons(e: Evaluation, opts: ListingOptions): string[] {
  const chosen = opts.selection?.profile.id === e.profile.id ? opts.selection.why : [];
  const lora = e.status === 'runnable' ? loraMismatch(e.profile, opts.request) : null;
  return [...chosen, ...e.reasons, ...(lora === null ? [] : [lora])];
}

function item(e: Evaluation, indent: string, opts: ListingOptions): string[] {
  const mark = opts.selection?.profile.id === e.profile.id ? ' [selected]' : '';
  const head = `${indent}- ${e.profile.id} (${e.profile.name})${mark}`;
  if (opts.explain) return [head, ...allReasons(e, opts).map((r) => `${indent}    ${r}`)];
  // a context shortened to fit (DESIGN §13) is stated: the engine gets it, not the model's own
  const shortened = e.context === undefined || e.profile.model === undefined ? undefined
    : `context ${e.context.toLocaleString('en-US')} of the model's ${e.profile.model.maxContext.toLocaleString('en-US')} tokens: more does not fit`;
  const first = e.status === 'runnable' ? (e.launchBlocker ?? e.multiNode ?? shortened) : e.reasons[0];
  return [first === undefined ? head : `${head} [${first}]`];
}

function group(title: string, items: Evaluation[], opts: ListingOptions): string[] {
  if (items.length === 0) return [`${title} ${NONE}`];
  return [title, ...items.flatMap((e) => item(e, '  ', opts))];
}

/** The MODEL PROFILES half; `evaluations` best first. */
export function formatProfiles(evaluations: readonly Evaluation[], opts: ListingOptions): string[] {
  const runnable = evaluations.filter((e) => e.status === 'runnable');
  const plain = runnable.filter((e) => !e.profile.lora);
  const lora = runnable.filter((e) => e.profile.lora);
  const lines = ['MODEL PROFILES'];
  if (runnable.length === 0) lines.push(`- Compatible with system and runnable: ${NONE}`);
  else {
    lines.push('- Compatible with system and runnable:', ...plain.flatMap((e) => item(e, '  ', opts)));
    if (lora.length === 0) lines.push(`  - With LoRA support: ${NONE}`);
    else lines.push('  - With LoRA support:', ...lora.flatMap((e) => item(e, '    ', opts)));
  }
  lines.push(...group('- Compatible with system but low memory:', evaluations.filter((e) => e.status === 'low-memory'), opts));
  lines.push(...group('- Incompatible with system:', evaluations.filter((e) => e.status === 'incompatible'), opts));
  return lines;
}

/** The `--json` shape (DESIGN §1): system as `gpus --json` prints it, the selected id, every profile best first. */
/** 0 for a profile that could be chosen (runnable, LoRA matching the request), 1 for any other. Sort is stable. */
function eligibleFirst(e: Evaluation, opts: ListingOptions): number {
  return e.status === 'runnable' && loraMismatch(e.profile, opts.request) === null ? 0 : 1;
}

export function listingJson(system: Record<string, unknown>, evaluations: readonly Evaluation[], opts: ListingOptions): Record<string, unknown> {
  return {
    system,
    selected: opts.selection?.profile.id ?? null,
    // Best first: what could be chosen before LoRA profiles the request rules out (they rank alike otherwise).
    profiles: [...evaluations].sort((a, b) => eligibleFirst(a, opts) - eligibleFirst(b, opts)).map((e) => ({
      id: e.profile.id,
      name: e.profile.name,
      tags: e.profile.tags,
      status: e.status,
      lora: e.profile.lora,
      reasons: allReasons(e, opts),
      gpus: e.gpus,
      ...(e.context === undefined ? {} : { context: e.context }),
    })),
  };
}
