// The side effects selection needs, done first and in parallel (manifest read, GPU probe), then the pure core.
// `select`, `list-model-profiles`, `serve` and `download-to-cache` all start here.
import type { Settings } from '../config/env.js';
import type { GpuInventory } from '../gpu/types.js';
import { probeGpus, probeGpusOrAbsent } from '../gpu/probe.js';
import type { Manifest } from '../manifest/types.js';
import { modelKey } from '../select/units.js';
import { findCachedOnPurpose } from '../cache/record.js';
import { evaluateProfiles } from '../select/evaluate.js';
import type { EnginesPresent, Evaluation, SelectRequest } from '../select/types.js';
import type { CliContext, CommonOptions } from './context.js';
import { findEngines } from './engines-present.js';
import { commandSettings } from './settings.js';
import { loadManifestFor, modelStore, storeRequest } from './store-selection.js';

export interface PreparedSelection {
  settings: Settings;
  manifest: Manifest;
  inventory: GpuInventory;
  evaluations: Evaluation[];
  request: SelectRequest;
  engines: EnginesPresent;
}

/** `--profile` (the flag twin) wins over NIM_MODEL_PROFILE; `default`, `auto` and empty mean automatic. */
export function buildRequest(settings: Settings, options: Pick<CommonOptions, 'profile'>, engines?: EnginesPresent, cachedOnPurpose: readonly string[] = []): SelectRequest {
  const flag = options.profile?.trim();
  const fromFlag = flag !== undefined;
  const pin = fromFlag ? (flag === '' || ['default', 'auto'].includes(flag.toLowerCase()) ? null : flag) : settings.profilePin;
  return {
    pin,
    pinSource: fromFlag ? '--profile' : 'NIM_MODEL_PROFILE',
    lora: settings.peftSource !== null,
    allowUnsafe: settings.allowUnsafe,
    tensorParallelSize: settings.tensorParallelSize,
    maxModelLen: settings.maxModelLen,
    ...(settings.pipelineParallelSize !== null ? { pipelineParallelSize: settings.pipelineParallelSize } : {}),
    ...(settings.multiNode !== null ? { multiNode: { nodes: settings.multiNode.nodes } } : {}),
    // NIMLET_PREFER_CACHED=0: the plain ranking, whatever the cache says
    cachedOnPurpose: settings.preferCached ? cachedOnPurpose : [],
    ...(engines ? { engines } : {}),
  };
}

/** Generated profiles (DESIGN §13) up to the GPUs of one model this container was given (at least tp 1, to say why not). */
function limitToGpus(manifest: Manifest, inventory: GpuInventory): Manifest {
  if (manifest.generatedFrom === undefined) return manifest;
  const counts = new Map<string, number>();
  for (const g of inventory.gpus) counts.set(modelKey(g), (counts.get(modelKey(g)) ?? 0) + 1);
  const most = Math.max(1, ...counts.values());
  return { ...manifest, profiles: manifest.profiles.filter((p) => (p.tp ?? 1) <= most) };
}

/** Times one start-up stage; serve passes its stopwatch, the other commands nothing. */
export type StageTimer = <T>(stage: 'manifest' | 'probe', work: () => Promise<T>) => Promise<T>;
const untimed: StageTimer = (_stage, work) => work();

/**
 * 'strict' (serve, select): a failing probe throws (exit 69). 'listing' (list-model-profiles): it becomes an
 * empty inventory whose absentReason says why, so every profile is listed as incompatible with that reason.
 */
export async function prepareSelection(
  ctx: CliContext,
  options: CommonOptions,
  mode: 'strict' | 'listing',
  time: StageTimer = untimed,
  signal?: AbortSignal,
): Promise<PreparedSelection> {
  const settings = commandSettings(ctx, options);
  const store = await modelStore(settings, ctx.cwd);
  const probe = mode === 'strict' ? probeGpus : probeGpusOrAbsent;
  // All at once: nvidia-smi takes as long as reading a big manifest (and python3, when the engines are detected).
  // The manifest's error is reported first.
  const [manifest, inventory, engines] = await Promise.allSettled([
    time('manifest', () => loadManifestFor(store, options, settings, ctx.cwd)),
    time('probe', () => probe({ env: ctx.env, visibility: settings.gpuVisibility, timeoutMs: settings.probeTimeoutMs, ...(signal ? { signal } : {}) })),
    findEngines(settings, ctx.env, ctx.cwd),
  ]);
  if (manifest.status === 'rejected') throw manifest.reason;
  if (inventory.status === 'rejected') throw inventory.reason;
  if (engines.status === 'rejected') throw engines.reason;
  // only an automatic choice from the cache looks at what was cached on purpose (a model store serves its own files)
  const automatic = store === null && settings.preferCached && buildRequest(settings, options).pin === null;
  const onPurpose = automatic ? await findCachedOnPurpose(manifest.value.profiles, settings.cacheDir) : [];
  const asked = buildRequest(settings, options, engines.value, onPurpose);
  const request = store === null ? asked : storeRequest(store, manifest.value, asked);
  const model = limitToGpus(manifest.value, inventory.value);
  const evaluations = evaluateProfiles(model.profiles, inventory.value, request);
  return { settings, manifest: model, inventory: inventory.value, evaluations, request, engines: engines.value };
}
