// Whatever order the manifest lists its profiles in, and whatever order each profile's tags (and keys) are written
// in, the same machine gets the same profile on the same GPUs. The order is shuffled in the manifest text, before the
// reader normalises it: a shuffle of profiles already built could not catch an order the reader or ranker keeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GpuInventory } from '../../src/gpu/types.js';
import type { Profile } from '../../src/manifest/types.js';
import { parseManifestText } from '../../src/manifest/load.js';
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

type Layout = 'schema2' | 'nim1';

/** One profile as a manifest writes it: its keys (id, tags, requirements) and its tags in the order given. */
function profileYaml(p: Profile, layout: Layout, tagKeys: readonly string[], bodyKeys: readonly string[]): string {
  const tags = `{${tagKeys.map((k) => `${k}: ${JSON.stringify(p.tags[k])}`).join(', ')}}`;
  const memory = p.requirements.minGpuMemoryMiB;
  if (layout === 'nim1') return `"${p.id}":\n  tags: ${tags}\n`;
  const lines: Record<string, string> = {
    id: `id: "${p.id}"`,
    tags: `tags: ${tags}`,
    requirements: memory === null ? '' : `requirements: {min_gpu_memory_mib: ${memory}}`,
  };
  const body = bodyKeys.map((k) => lines[k]!).filter((l) => l !== '');
  return `  - ${body.join('\n    ')}\n`;
}

interface Written { profile: Profile; tagKeys: string[]; bodyKeys: string[] }

/** The manifest text, profiles in the order given: what `nimlet` reads, so the reader's normalisation is under test too. */
function manifestText(layout: Layout, written: readonly Written[]): string {
  const body = written.map((w) => profileYaml(w.profile, layout, w.tagKeys, w.bodyKeys)).join('');
  return layout === 'nim1' ? body : `schema_version: 2.0.0\nprofiles:\n${body}`;
}

const asWritten = (p: Profile): Written => ({ profile: p, tagKeys: Object.keys(p.tags), bodyKeys: ['id', 'tags', 'requirements'] });
const read = (text: string): Profile[] => parseManifestText(text, 'model_manifest.yaml').profiles;
const canonical = { schema2: read(manifestText('schema2', all.map(asWritten))), nim1: read(manifestText('nim1', all.map(asWritten))) };

/** Every profile once, in any order, each with its tags and its keys written in any order. */
const writtenArb: fc.Arbitrary<Written[]> = fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).chain((ps) =>
  fc.tuple(...ps.map((p) => fc.record({
    profile: fc.constant(p),
    tagKeys: fc.shuffledSubarray(Object.keys(p.tags), { minLength: Object.keys(p.tags).length }),
    bodyKeys: fc.shuffledSubarray(['id', 'tags', 'requirements'], { minLength: 3 }),
  }))));

function outcome(profiles: readonly Profile[], inv: GpuInventory, req: SelectRequest): string {
  try {
    const s = selectProfile(profiles, inv, req);
    return JSON.stringify([s.profile.id, s.gpus, s.deviceUuids, s.tp]);
  } catch (e) {
    return `error ${(e as { code?: string }).code}`;
  }
}

describe('selection does not depend on order', () => {
  it('the canonical manifests hold every profile', () => {
    expect(canonical.schema2.map((p) => p.id)).toEqual(all.map((p) => p.id));
    expect(canonical.nim1.map((p) => p.id)).toEqual(all.map((p) => p.id));
  });

  it('profiles and tags shuffled as written in the manifest: same choice, same GPUs, same listing order', () => {
    fc.assert(
      fc.property(inventoryArb, requestArb, fc.constantFrom<Layout>('schema2', 'nim1'), writtenArb, (inv, req, layout, written) => {
        const shuffled = read(manifestText(layout, written));
        const base = canonical[layout];
        expect(outcome(shuffled, inv, req)).toBe(outcome(base, inv, req));
        const ids = (ps: readonly Profile[]) => evaluateProfiles(ps, inv, req).map((e) => `${e.profile.id}:${e.status}`);
        expect(ids(shuffled)).toEqual(ids(base));
      }),
      { numRuns: 300 },
    );
  });
});
