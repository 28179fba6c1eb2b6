// Filter: memory. A profile built from a model (DESIGN §13) is estimated (memory-estimate.ts) on each GPU;
// otherwise requirements.min_gpu_memory_mib is checked against free memory. Short of it a profile is `low-memory`:
// listed, never picked automatically. Utilisation is not looked at: a busy GPU with free memory still fits.
import type { Profile } from '../../manifest/types.js';
import { estimateMemory, type MemoryEstimate } from '../memory-estimate.js';
import type { Pool, Unit } from '../units.js';

export interface Placement {
  /** The lowest-index units with enough free memory; empty when too few have it. */
  units: Unit[];
  reasons: string[];
  /** The estimate on the chosen GPU with the least free memory (profiles with a model shape only). */
  memory?: MemoryEstimate;
}

function describeShort(short: readonly Unit[]): string {
  const shown = short.slice(0, 4).map((u) => `${u.label} has ${u.memoryFreeMiB} MiB free`);
  if (short.length > shown.length) shown.push(`${short.length - shown.length} more`);
  return shown.join(', ');
}

function placeByEstimate(profile: Profile, pool: Pool, count: number, tp: number, askedContext: number | null): Placement {
  const model = profile.model!;
  const estimate = (u: Unit): MemoryEstimate | null => (u.memoryFreeMiB === null ? null : estimateMemory({ model, tp, askedContext, gpu: { label: `${u.label} (${/\(([^()]*)\)$/.exec(pool.label)?.[1] ?? pool.label})`, freeMiB: u.memoryFreeMiB } }));
  const judged = pool.units.map((u) => ({ u, e: estimate(u) }));
  // An unknown free memory ([N/A]) is not held against the profile: nvidia-smi could not say.
  const fits = judged.filter((j) => j.e === null || j.e.fits).slice(0, count);
  if (fits.length < count) {
    const worst = judged.filter((j) => j.e !== null && !j.e.fits)[0]!;
    return { units: [], reasons: [worst.e!.reason], memory: worst.e! };
  }
  const known = fits.filter((j) => j.e !== null).sort((a, b) => a.u.memoryFreeMiB! - b.u.memoryFreeMiB!)[0];
  if (known === undefined) return { units: fits.map((j) => j.u), reasons: [] };
  return { units: fits.map((j) => j.u), reasons: [`memory: ${known.e!.reason}`], memory: known.e! };
}

/** Picks `count` units of the pool: the lowest indices, skipping those short of free memory. */
export function placeOnPool(profile: Profile, pool: Pool, count: number, tp = count, askedContext: number | null = null): Placement {
  if (profile.model !== undefined) return placeByEstimate(profile, pool, count, tp, askedContext);
  const min = profile.requirements.minGpuMemoryMiB;
  if (min === null) return { units: pool.units.slice(0, count), reasons: [] };
  const fits = pool.units.filter((u) => u.memoryFreeMiB === null || u.memoryFreeMiB >= min);
  if (fits.length >= count) return { units: fits.slice(0, count), reasons: [] };
  const short = pool.units.filter((u) => !fits.includes(u));
  return {
    units: [],
    reasons: [`needs ${min} MiB free on ${count} GPU${count === 1 ? '' : 's'} (requirements.min_gpu_memory_mib); ${describeShort(short)}`],
  };
}
