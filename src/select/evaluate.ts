// Runs every filter over every profile and places the fitting ones on GPUs. Pure: (profiles, inventory,
// request) in, evaluations out, best first (runnable, then low-memory, then incompatible; each by rank).
import type { GpuInventory } from '../gpu/types.js';
import type { Profile } from '../manifest/types.js';
import { checkComputeCapability, describeComputeCapabilityFit } from './filters/compute-capability.js';
import { checkDriver } from './filters/driver.js';
import { cudaDevices, vllmMigBlocker } from './cuda-devices.js';
import { checkEngine } from './filters/engine.js';
import { matchHardware, type Demand } from './filters/hardware.js';
import { placeOnPool } from './filters/memory.js';
import { checkMultiNode, describeGroup } from './filters/multi-node.js';
import { compareRank, rankKeys } from './rank.js';
import type { Evaluation, ProfileStatus, SelectRequest } from './types.js';
import type { Unit } from './units.js';

const STATUS_ORDER: Record<ProfileStatus, number> = { runnable: 0, 'low-memory': 1, incompatible: 2 };

/**
 * GPUs the profile needs on this node: number_of_gpus when given, else tp × pp; tp from the tag, else the request,
 * else 1 (pp likewise). Across a group of nodes (DESIGN §14) each node gives its even share.
 */
export function demandOf(profile: Profile, request: Pick<SelectRequest, 'tensorParallelSize' | 'pipelineParallelSize' | 'multiNode'>): Demand {
  const tp = profile.tp ?? request.tensorParallelSize ?? 1;
  const pp = profile.pp ?? request.pipelineParallelSize ?? 1;
  const total = profile.numberOfGpus ?? tp * pp;
  const nodes = request.multiNode?.nodes ?? 1;
  return { count: total % nodes === 0 ? total / nodes : total, tp, pp };
}

function describePlacement(units: readonly Unit[], poolLabel: string): string {
  if (units.length === 1) return `runs on ${units[0]!.label}: ${poolLabel}`;
  return `runs on GPUs ${units.map((u) => u.gpuIndex).join(', ')}: ${units.length} × ${poolLabel}`;
}

/** Where a profile's hardware needs land: on units, short of memory, or nowhere (and why). */
type Placement =
  | { kind: 'fit'; units: Unit[]; reasons: string[]; context: number | null }
  | { kind: 'low-memory'; reasons: string[] }
  | { kind: 'none'; reasons: string[] };

function placeProfile(profile: Profile, inventory: GpuInventory, demand: Demand, askedContext: number | null): Placement {
  const hardware = matchHardware(profile, inventory, demand);
  if (hardware.pools.length === 0) return { kind: 'none', reasons: hardware.reasons };
  // The first pool (lowest index) that passes everything; else the first short only of memory (another pool
  // failing on capability does not change that: freeing memory would make the profile run); else the
  // capability reasons of every pool that has enough GPUs.
  let lowMemory: string[] | null = null;
  const capability = new Set<string>();
  for (const pool of hardware.pools) {
    const cc = checkComputeCapability(profile, pool.units);
    if (cc.length > 0) {
      cc.forEach((r) => capability.add(r));
      continue;
    }
    const placed = placeOnPool(profile, pool, demand.count, demand.tp, askedContext);
    if (placed.units.length > 0) {
      const context = placed.memory?.shortened === true ? placed.memory.context : null;
      return { kind: 'fit', units: placed.units, context, reasons: [describePlacement(placed.units, pool.label), describeComputeCapabilityFit(profile, placed.units), ...placed.reasons] };
    }
    lowMemory ??= placed.reasons;
  }
  if (lowMemory !== null) return { kind: 'low-memory', reasons: lowMemory };
  return { kind: 'none', reasons: [...capability, ...(lowMemory ?? [])] };
}

/**
 * A pipeline-parallel profile too big for this node whose every stage fits here: say that it runs across nodes
 * (DESIGN §14), instead of leaving "needs 16, found 8" with no word of multi-node.
 */
function spanHint(profile: Profile, inventory: GpuInventory, demand: Demand, placement: Placement): string[] {
  if (placement.kind !== 'none' || demand.pp < 2 || profile.numberOfGpus !== null) return [];
  const stage = matchHardware(profile, inventory, { count: demand.tp, tp: demand.tp, pp: 1 });
  if (!stage.pools.some((p) => !p.mig)) return [];
  return [`across nodes it fits: ${demand.pp} nodes × ${demand.tp} GPUs, with NIM_MULTI_NODE=1 (docs/multi-node.md)`];
}

/** Everything placement reads from a profile: profiles alike in these are placed alike (a manifest has few shapes). */
function shapeKey(p: Profile, d: Demand): string {
  const r = p.requirements;
  const m = p.model;
  const model = m === undefined ? '' : [m.weightBytes, m.layers, m.kvHeads, m.headDim, m.kvBytesPerValue, m.maxContext].join(',');
  return [p.gpuDevice, p.gpu, d.count, d.tp, d.pp, p.precision, r.minComputeCapability, r.minGpuMemoryMiB, model].join('\u0000');
}

/** An evaluator for one inventory and request; remembers placements by profile shape. */
export function createEvaluator(inventory: GpuInventory, request: SelectRequest): (profile: Profile) => Evaluation {
  const placements = new Map<string, Placement>();
  return (profile) => {
    const demand = demandOf(profile, request);
    const key = shapeKey(profile, demand);
    let placement = placements.get(key);
    if (placement === undefined) placements.set(key, (placement = placeProfile(profile, inventory, demand, request.maxModelLen ?? null)));
    const group = request.multiNode ?? null;
    const engine = [...checkEngine(profile, request.engines), ...checkMultiNode(profile, profile.numberOfGpus ?? demand.tp * demand.pp, demand.tp, demand.pp, request)];
    const driver = checkDriver(profile, inventory.driverVersion);
    const base = { profile, tp: demand.tp, pp: demand.pp, gpus: [] as number[], deviceUuids: [] as string[], cudaDevices: [] as string[] };
    const blockers = [...engine, ...driver];
    if (placement.kind === 'fit' && blockers.length === 0) {
      const { units } = placement;
      // DESIGN §8: the listing and serve say that this vLLM cannot be pinned to one MIG device of several; the
      // profile still fits the hardware and ranks as it does (the fix is how the container is started)
      const mig = vllmMigBlocker(profile, units, inventory);
      const context = placement.context === null ? {} : { context: placement.context };
      const across = group === null ? null : describeGroup(group.nodes, units.length);
      const reasons = [...(across === null ? [] : [across]), ...placement.reasons, ...(mig === null ? [] : [mig])];
      return {
        ...base, status: 'runnable', reasons,
        gpus: units.map((u) => u.gpuIndex), deviceUuids: units.map((u) => u.uuid), cudaDevices: cudaDevices(profile, units),
        ...(mig === null ? {} : { launchBlocker: mig }), ...context,
        ...(across === null ? {} : { multiNode: across }),
      };
    }
    if (placement.kind === 'low-memory' && blockers.length === 0) return { ...base, status: 'low-memory', reasons: placement.reasons };
    // Reasons in the order a person fixes them: what the profile is, which GPUs and their capability, the driver.
    const perNode = group === null ? [...placement.reasons, ...spanHint(profile, inventory, demand, placement)] : placement.reasons.map((r) => `on this node (1 of ${group.nodes}): ${r}`);
    const hardware = placement.kind === 'fit' ? [] : perNode;
    return { ...base, status: 'incompatible', reasons: [...engine, ...hardware, ...driver] };
  };
}

export function evaluateProfile(profile: Profile, inventory: GpuInventory, request: SelectRequest): Evaluation {
  return createEvaluator(inventory, request)(profile);
}

export function compareEvaluations(a: Evaluation, b: Evaluation): number {
  return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || compareRank(a, b);
}

/** Every profile evaluated, best first. Sort keys are computed once per profile, not per comparison. */
export function evaluateProfiles(profiles: readonly Profile[], inventory: GpuInventory, request: SelectRequest): Evaluation[] {
  const evaluate = createEvaluator(inventory, request);
  const keyed = profiles.map((p) => {
    const e = evaluate(p);
    return { e, keys: [STATUS_ORDER[e.status], ...rankKeys(e)], id: p.id };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < a.keys.length; i++) {
      const d = a.keys[i]! - b.keys[i]!;
      if (d !== 0) return d;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((k) => k.e);
}
