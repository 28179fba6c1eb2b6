// The compiled copy of a manifest in the cache: reused when the bytes are the same, never when they change,
// never stored for an invalid manifest, never a reason to fail when the cache cannot be written, and never used
// when it is not what the parser would have written (the cache may be a volume other pods write).
import { execFileSync } from 'node:child_process';
import { copyFile, lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifestCompiled } from '../../src/manifest/compiled.js';
import { loadManifest } from '../../src/manifest/load.js';
import type { Manifest } from '../../src/manifest/types.js';

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
    expect(await readdir(path.join(cache, 'manifests'))).toEqual([]);
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

/** A schema-2 manifest with what a copy can carry: sha256, size, an archive, requirements, engine settings. */
const SCHEMA2 = [
  'schema_version: 2.0.0',
  'profile_selection_criteria: default',
  'profiles:',
  `  - id: ${ID_A}`,
  '    tags: {llm_engine: vllm, precision: bf16, tp: "2"}',
  '    workspace:',
  '      files:',
  `        config.json: {uri: data/config.json, sha256: ${'c'.repeat(64)}, size: 8}`,
  '        weights/model.safetensors: {uri: "hf://o/m:main?file=model.safetensors"}',
  '        engine: {uri: "https://x.example/e.tar", extract: true}',
  '    requirements: {min_gpu_memory_mib: 1000, min_driver: "550.54", min_compute_capability: "8.0"}',
  '    engine: {args: ["--x", "1"], env: {FOO: bar}}',
  '  - tags: {llm_engine: sglang, precision: fp8}',
  '',
].join('\n');

type Copy = Manifest & Record<string, unknown>;
type Tamper = (copy: Copy) => unknown;
const first = (copy: Copy) => copy.profiles[0]!;

describe('a copy that is not what the parser would have written', () => {
  let file: string;
  let cache: string;
  let parsed: Manifest;
  let copyPath: string;
  beforeEach(async () => {
    file = path.join(dir, 'm.yaml');
    cache = path.join(dir, 'cache');
    await writeFile(file, SCHEMA2);
    parsed = await loadManifestCompiled(file, cache);
    copyPath = path.join(cache, 'manifests', (await readdir(path.join(cache, 'manifests')))[0]!);
  });

  const tampered = async (tamper: Tamper): Promise<void> => {
    const copy = JSON.parse(await readFile(copyPath, 'utf8')) as Copy;
    const result = tamper(copy);
    await writeFile(copyPath, typeof result === 'string' ? result : JSON.stringify(result === undefined ? copy : result));
  };

  it.each<[string, Tamper]>([
    ['an empty map', () => ({})],
    ['null', () => null],
    ['a list', () => []],
    ['not JSON', () => '{"file": '],
    ['a profile that is an empty map', (c) => ({ ...c, profiles: [{}] })],
    ['no profiles', (c) => ({ ...c, profiles: [] })],
    ['a key too many', (c) => ({ ...c, extra: 1 })],
    ['a key missing', (c) => ({ ...c, warnings: undefined })],
    ['an unknown layout', (c) => ({ ...c, layout: 'nim-3' })],
    ['warnings that are no text', (c) => ({ ...c, warnings: [1] })],
    ['another manifest file', (c) => ({ ...c, file: '/elsewhere/m.yaml' })],
    ['another folder for relative sources', (c) => ({ ...c, dir: '/etc' })],
    ['a path that climbs out of the workspace', (c) => { first(c).files[0]!.path = '../../../../../tmp/PWNED.txt'; }],
    ['an absolute path', (c) => { first(c).files[0]!.path = '/etc/passwd'; }],
    ['a path the parser would have normalised', (c) => { first(c).files[0]!.path = './config.json'; }],
    ['a path with a NUL byte', (c) => { first(c).files[0]!.path = 'config\0.json'; }],
    ['two files at one path', (c) => { first(c).files[1]!.path = 'config.json'; }],
    ['a file inside another file', (c) => { first(c).files[1]!.path = 'config.json/x'; }],
    ['a file inside the folder an archive fills', (c) => { first(c).files[0]!.path = 'engine/config.json'; }],
    ['a sha256 that is no sha256', (c) => { first(c).files[0]!.sha256 = 'C'.repeat(64); }],
    ['a negative size', (c) => { first(c).files[0]!.size = -1; }],
    ['a size that is no whole number', (c) => { first(c).files[0]!.size = 1.5; }],
    ['extract that is no boolean', (c) => { (first(c).files[0] as unknown as Record<string, unknown>).extract = 'yes'; }],
    ['an id that is no 64-hex id', (c) => { first(c).id = '../../x'; }],
    ['an id in upper case', (c) => { first(c).id = ID_A.toUpperCase(); }],
    ['two profiles with one id', (c) => { c.profiles[1]!.id = ID_A; }],
    ['an unknown engine in the tags', (c) => { first(c).tags.llm_engine = 'tgi'; }],
    ['a tp of 0', (c) => { first(c).tags.tp = '0'; }],
    ['a tag that is no text', (c) => { (first(c).tags as Record<string, unknown>).gpu = ['H100']; }],
    ['an engine that the tags do not give', (c) => { first(c).engine = 'sglang'; }],
    ['a tp that the tags do not give', (c) => { first(c).tp = 8; }],
    ['a name that the tags do not give', (c) => { first(c).name = 'tensorrt_llm-h100-fp8-tp8'; }],
    ['an engine argument with a NUL byte', (c) => { first(c).engineSettings.args.push('a\0b'); }],
    ['an environment name with =', (c) => { first(c).engineSettings.env['LD_PRELOAD=/x.so FOO'] = 'x'; }],
    ['an environment value with a NUL byte', (c) => { first(c).engineSettings.env.FOO = 'a\0b'; }],
    ['a driver requirement that is no version', (c) => { first(c).requirements.minDriver = 'new'; }],
    ['a location in another file', (c) => { first(c).location.file = '/elsewhere/m.yaml'; }],
  ])('%s: parsed again, and the copy replaced', async (_what, tamper) => {
    await tampered(tamper);
    expect(await loadManifestCompiled(file, cache)).toEqual(parsed);
    expect(JSON.parse(await readFile(copyPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(parsed)));
  });

  it('a FIFO in place of the copy: parsed again, not waited on', async () => {
    await rm(copyPath);
    execFileSync('mkfifo', [copyPath]);
    expect(await loadManifestCompiled(file, cache)).toEqual(parsed);
    expect((await lstat(copyPath)).isFile()).toBe(true);
  });

  it('a link in place of the copy (nimlet never writes one): not followed', async () => {
    // A copy that would check out, marked, behind a link: the link is not ours, so the copy is not used.
    const aside = path.join(dir, 'aside.json');
    await writeFile(aside, JSON.stringify({ ...JSON.parse(await readFile(copyPath, 'utf8')), warnings: ['through a link'] }));
    await rm(copyPath);
    await symlink(aside, copyPath);
    expect(await loadManifestCompiled(file, cache)).toEqual(parsed);
    expect((await lstat(copyPath)).isFile()).toBe(true);
  });
});

describe('a copy the parser wrote', () => {
  const fixtures = [
    ...['legacy-list.yaml', 'nim1-non-llm.yaml', 'nim1-tagged.yaml', 'nim1-unversioned.yaml', 'schema2.yaml'].map((f) => `test/fixtures/manifests/${f}`),
    'manifests/example.schema2.yaml',
    'manifests/llama-3.1-8b-instruct.nim1.yaml',
  ];

  it.each(fixtures)('%s: is used', async (name) => {
    const file = path.join(dir, path.basename(name));
    await copyFile(fileURLToPath(new URL(`../../${name}`, import.meta.url)), file);
    const cache = path.join(dir, 'cache');
    // Named as the CLI's manifest commands name a file: as typed, not resolved.
    const parsed = await loadManifestCompiled(file, cache, path.basename(name));
    expect(parsed).toEqual(await loadManifest(file, path.basename(name)));
    const copy = path.join(cache, 'manifests', (await readdir(path.join(cache, 'manifests')))[0]!);
    await writeFile(copy, JSON.stringify({ ...JSON.parse(await readFile(copy, 'utf8')), warnings: ['from the copy'] }));
    expect(await loadManifestCompiled(file, cache, path.basename(name))).toEqual({ ...parsed, warnings: ['from the copy'] });
  });
});
