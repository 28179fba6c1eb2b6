// The compiled copy of a manifest in the cache: reused when the bytes are the same, never when they change,
// never stored for an invalid manifest, and never a reason to fail when the cache cannot be written.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifestCompiled } from '../../src/manifest/compiled.js';

const profile = (id: string, engine: string): string =>
  [`${id}:`, '  tags:', `    llm_engine: '${engine}'`, "    precision: 'bf16'", "    tp: '1'"].join('\n');
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'compiled-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('loadManifestCompiled', () => {
  it('stores one copy and serves the second load from it', async () => {
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, profile(ID_A, 'vllm') + '\n');
    const cache = path.join(dir, 'cache');
    const first = await loadManifestCompiled(file, cache);
    const copies = await readdir(path.join(cache, 'manifests'));
    expect(copies).toHaveLength(1);
    // Prove the copy is what the second load returns: mark it, then load again.
    const copyFile = path.join(cache, 'manifests', copies[0]!);
    const marked = { ...JSON.parse(await readFile(copyFile, 'utf8')), warnings: ['from the copy'] };
    await writeFile(copyFile, JSON.stringify(marked));
    const second = await loadManifestCompiled(file, cache);
    expect(second.warnings).toEqual(['from the copy']);
    expect(second.profiles).toEqual(first.profiles);
  });

  it('parses again when the manifest changes', async () => {
    const file = path.join(dir, 'm.yaml');
    const cache = path.join(dir, 'cache');
    await writeFile(file, profile(ID_A, 'vllm') + '\n');
    await loadManifestCompiled(file, cache);
    await writeFile(file, profile(ID_B, 'sglang') + '\n');
    const changed = await loadManifestCompiled(file, cache);
    expect(changed.profiles.map((p) => [p.id, p.engine])).toEqual([[ID_B, 'sglang']]);
  });

  it('reports an invalid manifest with exit 65 every time and stores nothing', async () => {
    const file = path.join(dir, 'bad.yaml');
    const cache = path.join(dir, 'cache');
    await writeFile(file, profile(ID_A, 'tgi') + '\n');
    for (let i = 0; i < 2; i++) await expect(loadManifestCompiled(file, cache)).rejects.toMatchObject({ exitCode: 65 });
    await expect(readdir(path.join(cache, 'manifests'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('still loads when the cache cannot be written, and a missing manifest is exit 66', async () => {
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, profile(ID_A, 'vllm') + '\n');
    const blocked = path.join(dir, 'not-a-folder');
    await writeFile(blocked, 'a file where the cache folder should be');
    const m = await loadManifestCompiled(file, blocked);
    expect(m.profiles).toHaveLength(1);
    await expect(loadManifestCompiled(path.join(dir, 'none.yaml'), blocked)).rejects.toMatchObject({ exitCode: 66 });
  });
});
