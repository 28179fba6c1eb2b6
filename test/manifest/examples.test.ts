// The manifests shipped in manifests/ load cleanly, cover what the issue asks, and their local files match.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/load.js';
import { parseSourceUri } from '../../src/manifest/source-uri.js';

const manifests = fileURLToPath(new URL('../../manifests/', import.meta.url));

describe('manifests/llama-3.1-8b-instruct.nim1.yaml', () => {
  it('is a NIM 1.x manifest of ≥ 15 profiles over the three engines, ids = sha256(name)', async () => {
    const m = await loadManifest(path.join(manifests, 'llama-3.1-8b-instruct.nim1.yaml'));
    expect(m.layout).toBe('nim-1.x');
    expect(m.warnings).toEqual([]);
    expect(m.profiles.length).toBeGreaterThanOrEqual(15);
    expect(new Set(m.profiles.map((p) => p.engine))).toEqual(new Set(['tensorrt_llm', 'vllm', 'sglang']));
    expect(new Set(m.profiles.map((p) => p.name)).size).toBe(m.profiles.length);
    for (const p of m.profiles) expect(p.id).toBe(createHash('sha256').update(p.name).digest('hex'));
    expect(m.profiles.filter((p) => p.lora).map((p) => p.name)).toEqual(['tensorrt_llm-h100-bf16-tp1-throughput-lora', 'vllm-bf16-tp1-lora']);
    expect(new Set(m.profiles.map((p) => p.gpuDevice))).toEqual(new Set(['2330:10de', '2321:10de', '2335:10de', '20b2:10de', '26b9:10de', '2237:10de', null]));
  });
});

describe('manifests/example.schema2.yaml', () => {
  it('uses hf:// and relative sources only (HF_ENDPOINT serves every remote file, LICENSE included); relative files exist with the stated sha256 and size', async () => {
    const m = await loadManifest(path.join(manifests, 'example.schema2.yaml'));
    expect(m.layout).toBe('schema-2');
    expect(m.warnings).toEqual([]);
    const files = m.profiles.flatMap((p) => p.files);
    const kinds = new Set(files.map((f) => (/^[a-z]+:\/\//.test(f.uri) ? f.uri.split(':')[0] : 'relative')));
    expect(kinds).toEqual(new Set(['hf', 'relative']));
    const local = files.filter((f) => !/^[a-z]+:\/\//.test(f.uri));
    expect(local.length).toBeGreaterThan(0);
    for (const f of local) {
      const parsed = parseSourceUri(f.uri, m.dir);
      if (!parsed.ok || parsed.source.kind !== 'file') throw new Error(`not a local file: ${f.uri}`);
      const bytes = readFileSync(parsed.source.path);
      expect([f.size, f.sha256]).toEqual([bytes.length, createHash('sha256').update(bytes).digest('hex')]);
    }
    expect(m.profiles.some((p) => p.requirements.minGpuMemoryMiB !== null && p.engineSettings.args.length > 0)).toBe(true);
  });
});
