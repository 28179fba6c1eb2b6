// Whatever order the manifest lists its profiles in, and whatever order each profile's tags are written in,
// the same machine gets the same profile on the same GPUs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GpuInventory } from '../../src/gpu/types.js';
import type { Profile } from '../../src/manifest/types.js';
import { evaluateProfiles } from '../../src/select/evaluate.js';
import { selectProfile } from '../../src/select/select.js';
import type { SelectRequest } from '../../src/select/types.js';
import { gpu, host, mig, profile, request, type Model } from './build.js';
import { catalog } from './catalog.js';

const models: Model[] = ['H100', 'H100_NVL', 'L40S', 'L40', 'A10G', 'A40', 'T4', 'P400', 'B200'];

const inventoryArb: fc.Arbitrary<GpuInventory> = fc
  .array(fc.record({ model: fc.constantFrom(...models), migState: fc.constantFrom('off', 'off', 'off', 'empty', 'devices'), masked: fc.boolean() }), { maxLength: 8 })
  .map((specs) => host(specs.map((s, i) => gpu(i, s.model, {
    ...(s.masked && s.model === 'A10G' ? { pciDeviceId: null } : {}),
    ...(s.migState === 'off' ? {} : { migEnabled: true, migDevices: s.migState === 'devices' ? [mig(0, '3g.40gb'), mig(1, '1g.10gb')] : [] }),
  }))));

const requestArb: fc.Arbitrary<SelectRequest> = fc.record({ lora: fc.boolean(), tensorParallelSize: fc.constantFrom(null, 1, 2, 4) })
  .map((r) => request(r));

// Extra profiles that tie on many keys, so the later keys and the id must decide.
const extra: Profile[] = [
  profile({ llm_engine: 'vllm', precision: 'bf16' }),
  profile({ llm_engine: 'vllm', precision: 'bf16', profile: 'latency' }),
  profile({ llm_engine: 'sglang', precision: 'fp8', tp: '2' }),
  profile({ llm_engine: 'vllm', precision: 'int4_awq', tp: '1' }, { requirements: { minGpuMemoryMiB: 40_000 } }),
  profile({ llm_engine: 'vllm', precision: 'fp8', tp: '1' }, { id: '0'.repeat(64) }),
];
const all = [...catalog, ...extra];

/** The same profile with its tags re-inserted in another order. */
function reorderTags(p: Profile, keys: string[]): Profile {
  const tags: Record<string, string> = {};
  for (const k of keys) tags[k] = p.tags[k]!;
  return { ...p, tags };
}

const shuffledArb = fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).chain((ps) =>
  fc.tuple(...ps.map((p) => fc.shuffledSubarray(Object.keys(p.tags), { minLength: Object.keys(p.tags).length }).map((keys) => reorderTags(p, keys)))));

function outcome(profiles: readonly Profile[], inv: GpuInventory, req: SelectRequest): string {
  try {
    const s = selectProfile(profiles, inv, req);
    return JSON.stringify([s.profile.id, s.gpus, s.deviceUuids, s.tp]);
  } catch (e) {
    return `error ${(e as { code?: string }).code}`;
  }
}

describe('selection does not depend on order', () => {
  it('shuffled profiles and tags: same choice, same GPUs, same listing order', () => {
    fc.assert(
      fc.property(inventoryArb, requestArb, shuffledArb, (inv, req, shuffled) => {
        expect(outcome(shuffled, inv, req)).toBe(outcome(all, inv, req));
        const ids = (ps: readonly Profile[]) => evaluateProfiles(ps, inv, req).map((e) => `${e.profile.id}:${e.status}`);
        expect(ids(shuffled)).toEqual(ids(all));
      }),
      { numRuns: 300 },
    );
  });
});
