// Filter: requirements.min_gpu_memory_mib against free memory. Short of it a profile is `low-memory`: listed,
// never picked automatically. Utilisation is not looked at: a busy GPU with free memory still fits.
import type { Profile } from '../../manifest/types.js';
import type { Pool, Unit } from '../units.js';

export interface Placement {
  /** The lowest-index units with enough free memory; empty when too few have it. */
  units: Unit[];
  reasons: string[];
}

/** Picks `count` units of the pool: the lowest indices, skipping those short of free memory. */
export function placeOnPool(profile: Profile, pool: Pool, count: number): Placement {
  const min = profile.requirements.minGpuMemoryMiB;
  if (min === null) return { units: pool.units.slice(0, count), reasons: [] };
  // An unknown free memory ([N/A]) is not held against the profile: nvidia-smi could not say.
  const fits = pool.units.filter((u) => u.memoryFreeMiB === null || u.memoryFreeMiB >= min);
  if (fits.length >= count) return { units: fits.slice(0, count), reasons: [] };
  const short = pool.units.filter((u) => !fits.includes(u));
  const shown = short.slice(0, 4).map((u) => `${u.label} has ${u.memoryFreeMiB} MiB free`);
  if (short.length > shown.length) shown.push(`${short.length - shown.length} more`);
  return {
    units: [],
    reasons: [`needs ${min} MiB free on ${count} GPU${count === 1 ? '' : 's'} (requirements.min_gpu_memory_mib); ${shown.join(', ')}`],
  };
}
