// The choice `serve` acts on: the pinned profile (checked), or the best eligible one. LoRA profiles are chosen
// only with NIM_PEFT_SOURCE set, and then only they are.
import { NimletError } from '../errors.js';
import type { GpuInventory } from '../gpu/types.js';
import type { Engine, Profile } from '../manifest/types.js';
import { compareEvaluations, demandOf, evaluateProfiles } from './evaluate.js';
import { cudaDevices } from './cuda-devices.js';
import { engineAbsence } from './filters/engine.js';
import { resolvePin } from './pin.js';
import { cachedFirst, describeRank, PREFERRED_REASON } from './rank.js';
import type { Evaluation, SelectRequest, Selection } from './types.js';
import { migPools, wholeGpuUnit } from './units.js';

/** Why a runnable profile is still not picked automatically; null when it may be. */
export function loraMismatch(profile: Profile, request: Pick<SelectRequest, 'lora'>): string | null {
  if (request.lora && !profile.lora) return 'NIM_PEFT_SOURCE is set: only LoRA profiles are eligible, this one has no LoRA support';
  if (!request.lora && profile.lora) return 'LoRA profile: chosen only when NIM_PEFT_SOURCE is set';
  return null;
}

export function isEligible(evaluation: Evaluation, request: Pick<SelectRequest, 'lora'>): boolean {
  return evaluation.status === 'runnable' && loraMismatch(evaluation.profile, request) === null;
}

/** `id (name): reason` lines for an error's details. */
export function describeEvaluations(evaluations: readonly Evaluation[], request: Pick<SelectRequest, 'lora'>): string[] {
  return evaluations.map((e) => {
    const why = e.status === 'runnable' ? (loraMismatch(e.profile, request) ?? 'runnable') : e.reasons.join('; ');
    return `${e.profile.id} (${e.profile.name}): ${why}`;
  });
}

/** Where an incompatible pinned profile runs under NIM_MANIFEST_ALLOW_UNSAFE: the lowest whole GPUs, else a MIG device. */
function unsafePlacement(evaluation: Evaluation, inventory: GpuInventory, request: SelectRequest) {
  const { count } = demandOf(evaluation.profile, request);
  const whole = [...inventory.gpus].filter((g) => !g.migEnabled).sort((a, b) => a.index - b.index).map(wholeGpuUnit);
  const units = whole.length > 0 ? whole.slice(0, count) : migPools(inventory.gpus).flatMap((p) => p.units).slice(0, 1);
  return { gpus: units.map((u) => u.gpuIndex), deviceUuids: units.map((u) => u.uuid), cudaDevices: cudaDevices(evaluation.profile, units) };
}

/** The base image each engine's nimlet image is built on (docs/container.md), for the hint of a pin the image cannot run. */
export const ENGINE_BASE_IMAGES: Record<Engine, string> = {
  vllm: 'vllm/vllm-openai',
  tensorrt_llm: 'nvcr.io/nvidia/tensorrt-llm/release',
  sglang: 'lmsysorg/sglang',
};

function engineNotInImage(profile: Profile, source: string, absent: string): NimletError {
  const engine = profile.engine!;
  return new NimletError('profile-not-runnable', `${source} names ${profile.id} (${profile.name}), which cannot run here: ${absent}`, {
    hint: `run it with nimlet's ${engine} image (built with ENGINE_IMAGE=${ENGINE_BASE_IMAGES[engine]}:<tag>, see docs/container.md), or pin a profile of an engine this image has`,
  });
}

/** A pin of a profile whose engine the image lacks: exit 69, whatever NIM_MANIFEST_ALLOW_UNSAFE says. */
export function refuseAbsentEngine(profile: Profile, source: string, engines: SelectRequest['engines']): void {
  const absent = engineAbsence(profile, engines);
  if (absent !== null) throw engineNotInImage(profile, source, absent);
}

function choosePinned(evaluations: readonly Evaluation[], inventory: GpuInventory, request: SelectRequest, pin: string): Selection {
  const source = request.pinSource ?? 'NIM_MODEL_PROFILE';
  const profile = resolvePin(evaluations.map((e) => e.profile), pin, source);
  const evaluation = evaluations.find((e) => e.profile === profile)!;
  const why = [`pinned by ${source}=${pin}`];
  const lora = request.lora && !profile.lora ? [loraMismatch(profile, request)!] : [];
  const blockers = [...(evaluation.status === 'runnable' ? [] : evaluation.reasons), ...lora];
  if (blockers.length === 0) return { ...evaluation, why };
  // Not even NIM_MANIFEST_ALLOW_UNSAFE starts an engine the image lacks: it would download the profile, then exit 127.
  refuseAbsentEngine(profile, source, request.engines);
  if (!request.allowUnsafe) {
    throw new NimletError('profile-not-runnable', `${source} names ${profile.id} (${profile.name}), which cannot run here: ${blockers[0]}`, {
      details: blockers,
      hint: 'choose a profile that `nimlet list-model-profiles` lists as runnable, or set NIM_MANIFEST_ALLOW_UNSAFE=1 to start it anyway',
    });
  }
  const placement = evaluation.gpus.length > 0 ? { gpus: evaluation.gpus, deviceUuids: evaluation.deviceUuids, cudaDevices: evaluation.cudaDevices } : unsafePlacement(evaluation, inventory, request);
  return {
    ...evaluation,
    ...placement,
    why: [...why, `NIM_MANIFEST_ALLOW_UNSAFE is set: starting it although ${blockers.join('; ')}`],
  };
}

/** The selection from evaluations (any order): the pin, else the best eligible profile; throws 69 when none. */
export function chooseProfile(evaluations: readonly Evaluation[], inventory: GpuInventory, request: SelectRequest): Selection {
  if (request.pin !== null) return choosePinned(evaluations, inventory, request, request.pin);
  const ranked = evaluations.filter((e) => isEligible(e, request)).sort(compareEvaluations);
  const eligible = cachedFirst(ranked, request.cachedOnPurpose);
  const best = eligible[0];
  if (best) {
    // cached on purpose: say so, and name the better-ranked one it was chosen over, if any
    const top = ranked[0]!;
    const over = best === top ? '' : ` (chosen over the better-ranked ${top.profile.id} (${top.profile.name}), which was not)`;
    const preferred = request.cachedOnPurpose?.includes(best.profile.id) ? [`${PREFERRED_REASON}${over}`] : [];
    const of = eligible.length === 1 ? 'the only eligible profile'
      : best === top ? `best of ${eligible.length} eligible profiles` : `best cached on purpose of ${eligible.length} eligible profiles`;
    return { ...best, why: [...preferred, `${of}: ${describeRank(best)}`] };
  }
  const count = evaluations.length;
  const message = request.lora
    ? `no LoRA profile of the manifest's ${count} can run on this machine (NIM_PEFT_SOURCE is set)`
    : `no profile of the manifest's ${count} can run on this machine`;
  throw new NimletError('no-runnable-profile', message, {
    details: describeEvaluations([...evaluations].sort(compareEvaluations), request),
    hint: 'see `nimlet list-model-profiles --explain`; to force one, set NIM_MODEL_PROFILE and NIM_MANIFEST_ALLOW_UNSAFE=1',
  });
}

export function selectProfile(profiles: readonly Profile[], inventory: GpuInventory, request: SelectRequest): Selection {
  return chooseProfile(evaluateProfiles(profiles, inventory, request), inventory, request);
}
