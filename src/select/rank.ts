// The ranking of eligible profiles (DESIGN §6), one total order, first key first: hardware-specific before
// generic; engine tensorrt_llm > vllm > sglang; precision nvfp4 > fp8 > int8 > int4_awq > bf16 > fp16 > fp32 >
// anything else; latency > throughput > none; higher tp; then id. Nothing depends on manifest or tag order.
import type { Profile } from '../manifest/types.js';
import { isHardwareSpecific } from './filters/hardware.js';

export const ENGINE_ORDER = ['tensorrt_llm', 'vllm', 'sglang'] as const;
export const PRECISION_ORDER = ['nvfp4', 'fp8', 'int8', 'int4_awq', 'bf16', 'fp16', 'fp32'] as const;
export const OPTIMIZATION_ORDER = ['latency', 'throughput'] as const;

export interface Rankable {
  profile: Profile;
  /** The tensor-parallel size it would run with (its tp tag, else NIM_TENSOR_PARALLEL_SIZE, else 1). */
  tp: number;
}

/** Position in an order list; anything unlisted (or absent) ranks after every listed value. */
function position(order: readonly string[], value: string | null): number {
  const i = value === null ? -1 : order.indexOf(value.toLowerCase());
  return i === -1 ? order.length : i;
}

/** The sort keys, smaller is better; the id breaks every tie so the order is total. */
export function rankKeys({ profile, tp }: Rankable): [number, number, number, number, number] {
  return [
    isHardwareSpecific(profile) ? 0 : 1,
    position(ENGINE_ORDER, profile.engine),
    position(PRECISION_ORDER, profile.precision),
    position(OPTIMIZATION_ORDER, profile.optimization),
    -tp,
  ];
}

export function compareRank(a: Rankable, b: Rankable): number {
  const ka = rankKeys(a);
  const kb = rankKeys(b);
  for (let i = 0; i < ka.length; i++) {
    const d = ka[i]! - kb[i]!;
    if (d !== 0) return d;
  }
  // Plain code-unit order, not localeCompare: the same on every machine and locale.
  return a.profile.id < b.profile.id ? -1 : a.profile.id > b.profile.id ? 1 : 0;
}

/** The keys that put a profile first, in words, for `select`'s "why". */
export function describeRank({ profile, tp }: Rankable): string {
  const parts = [
    isHardwareSpecific(profile) ? `built for this GPU (${profile.gpuDevice ?? profile.gpu})` : 'generic (any GPU)',
    profile.engine ? `engine ${profile.engine}` : 'no engine tag',
    profile.precision ? `precision ${profile.precision}` : 'no precision tag',
    // "profile none" read like an error: a profile without the tag is simply tuned for neither
    profile.optimization ? `profile ${profile.optimization}` : 'no latency/throughput tag',
    `tp ${tp}`,
  ];
  return parts.join(', ');
}

/** The reason a profile cached on purpose was chosen before a better-ranked one (DESIGN §6). */
export const PREFERRED_REASON = 'cached on purpose by download-to-cache --profiles; NIMLET_PREFER_CACHED=0 turns this off';

/**
 * `ranked` (best first) with the profiles cached on purpose first, each part keeping its order: with no pin, the
 * profile the cache's owner chose is served rather than another fetched at start (DESIGN §6).
 */
export function cachedFirst<T extends Rankable>(ranked: readonly T[], cachedOnPurpose: readonly string[] = []): T[] {
  const preferred = ranked.filter((e) => cachedOnPurpose.includes(e.profile.id));
  return [...preferred, ...ranked.filter((e) => !preferred.includes(e))];
}
