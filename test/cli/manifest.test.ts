// `nimlet manifest validate|ids` in-process, in a fresh folder per test.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { brokenManifest } from '../manifest/broken.gen.js';
import { nimlet as run } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';
import { tempDir } from '../support/sandbox.js';

const fixtures = path.join(FIXTURES, 'manifests');
let dir = '';

beforeEach(() => {
  dir = tempDir('nimlet-manifest-');
});

/** nimlet with only these variables, in `dir`; its output without the final newline (as these tests compare it). */
async function inDir(args: string[], env: Record<string, string>) {
  const r = await run(args, env, { cwd: dir });
  return { exitCode: r.code, stdout: r.stdout.replace(/\n$/, ''), stderr: r.stderr.replace(/\n$/, '') };
}

const nimlet = (...args: string[]) => inDir(args, { NO_COLOR: '1' });
const copy = (name: string): string => {
  copyFileSync(path.join(fixtures, name), path.join(dir, name));
  return name;
};
const H = (c: string) => c.repeat(64);

describe('nimlet manifest validate', () => {
  it('prints a one-line summary and exits 0', async () => {
    const r = await nimlet('manifest', 'validate', copy('nim1-tagged.yaml'));
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, 'nim1-tagged.yaml: OK, nim-1.x layout, 2 profiles', '']);
  });

  it('prints warnings on stderr and still exits 0', async () => {
    const r = await nimlet('manifest', 'validate', copy('nim1-unversioned.yaml'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('nim1-unversioned.yaml: OK, nim-1.x layout, 1 profile, 1 warning');
    expect(r.stderr).toBe(`warning: nim1-unversioned.yaml:11: ${H('5')}.workspace.components[0].src.repo_id: cannot be fetched: ngc:// source needs a version after ':' (ngc://org/model:version?file=path) in "ngc://nim/example/model-70b?file=config.json"`);
  });

  it('--json gives file, layout, profile count and warnings', async () => {
    const r = await nimlet('manifest', 'validate', copy('legacy-list.yaml'), '--json');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: 'legacy-list.yaml', layout: 'legacy-list', profiles: 2, warnings: [] });
    expect(r.stderr).toBe('');
  });

  it('reports every problem with file:line and key path, exit 65, no stack trace', async () => {
    writeFileSync(path.join(dir, 'bad.yaml'), `${H('a')}:\n  tags:\n    llm_engine: tgi\n    tp: 0\n`);
    const r = await nimlet('manifest', 'validate', 'bad.yaml');
    expect(r.exitCode).toBe(65);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe([
      'nimlet: bad.yaml: 2 problems',
      `  bad.yaml:3: ${H('a')}.tags.llm_engine: unknown llm_engine "tgi": expected one of tensorrt_llm, vllm, sglang`,
      `  bad.yaml:4: ${H('a')}.tags.tp: tp must be a positive whole number, got "0"`,
      'hint: fix every line listed (manifests/example.schema2.yaml shows the schema-2 layout with every key), then run `nimlet manifest validate bad.yaml` again',
    ].join('\n'));
  });

  it('--json puts the error as JSON on stderr', async () => {
    const r = await nimlet('manifest', 'validate', copy('bare-list.yaml'), '--json');
    expect(r.exitCode).toBe(65);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: 'manifest-invalid',
      exitCode: 65,
      message: 'bare-list.yaml: 2 problems',
      details: [
        'bare-list.yaml:2: (root): a bare list of profiles: a schema-2 manifest needs `schema_version: 2.0.0` and the list under `profiles:`',
        'bare-list.yaml:2: [0].id: id looks truncated: a profile id is 64 hex characters (leave it out and nimlet computes one), got "c84b2a0..."',
      ],
    });
  });

  it('a missing file exits 66', async () => {
    const r = await nimlet('manifest', 'validate', 'nope.yaml');
    expect([r.exitCode, r.stdout]).toEqual([66, '']);
    expect(r.stderr).toBe('nimlet: manifest nope.yaml: no such file\nhint: pass --manifest FILE or set NIMLET_MANIFEST to a readable model_manifest.yaml');
  });

  it('generated broken manifests exit 65 through the real CLI, located, without a stack trace', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(brokenManifest, async ({ text, expect: fragment }) => {
        const name = `broken-${n++}.yaml`;
        writeFileSync(path.join(dir, name), text);
        const r = await nimlet('manifest', 'validate', name);
        expect(r.exitCode).toBe(65);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(new RegExp(`^nimlet: ${name.replace('.', '\\.')}: \\d+ problems?\\n`));
        expect(r.stderr).toContain(fragment);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr).not.toContain('internal error');
      }),
      { numRuns: 15 },
    );
  });
});

describe('what validates is what the other commands can use', () => {
  // Both once passed validation: the first failed the download (EEXIST, exit 70) or silently lost eng/x to the
  // archive, the second failed serve's spawn (exit 70) after selection and download.
  const env = () => ({ NIM_CACHE_PATH: path.join(dir, 'cache'), NIMLET_MANIFEST: path.join(dir, 'm.yaml') });
  const run = (...args: string[]) => inDir(args, { NO_COLOR: '1', ...env() });

  it.each([
    [
      'a file inside the folder an archive fills',
      '        eng/x: {uri: data/x}\n        eng: {uri: data/e.tar, extract: true}\n',
      ':7: profiles[0].workspace.files.eng: "eng/x" lies inside "eng", which its archive fills (extract: true): nothing else may be put in that folder',
    ],
    [
      'a file inside another file',
      '        a: {uri: data/a}\n        a/b: {uri: data/b}\n',
      ':7: profiles[0].workspace.files["a/b"]: "a/b" lies inside "a", which is a file of this profile: a path cannot be both a file and a folder',
    ],
  ])('%s: exit 65, located, from validate and download-to-cache', async (_what, files, problem) => {
    writeFileSync(path.join(dir, 'm.yaml'), `schema_version: 2.0.0\nprofiles:\n  - tags: {llm_engine: vllm}\n    workspace:\n      files:\n${files}`);
    // validate names the file as typed; download-to-cache as NIMLET_MANIFEST gives it.
    for (const [args, name] of [[['manifest', 'validate', 'm.yaml'], 'm.yaml'], [['download-to-cache', '--all'], path.join(dir, 'm.yaml')]] as const) {
      const r = await run(...args);
      expect([r.exitCode, r.stdout], args.join(' ')).toEqual([65, '']);
      expect(r.stderr.split('\n')[1]).toBe(`  ${name}${problem}`);
    }
  });

  it('a NUL byte in an engine argument: exit 65, located, from validate and serve', async () => {
    writeFileSync(path.join(dir, 'm.yaml'), 'schema_version: 2.0.0\nprofiles:\n  - tags: {llm_engine: vllm}\n    engine: {args: ["--x", "a\\0b"]}\n');
    for (const args of [['manifest', 'validate', 'm.yaml'], ['serve']]) {
      const r = await run(...args);
      expect([r.exitCode, r.stdout], args.join(' ')).toEqual([65, '']);
      expect(r.stderr).toContain('m.yaml:4: profiles[0].engine.args[1]: an engine argument must not contain a NUL byte (\\0)');
    }
  });
});

describe('nimlet manifest ids', () => {
  it('prints `<id>  <name>` per profile, computing missing ids', async () => {
    copy('schema2.yaml');
    const r = await nimlet('manifest', 'ids', 'schema2.yaml');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999  sglang-b200-fp8-tp4-latency');
    expect(lines[1]).toMatch(/^[0-9a-f]{64}  vllm-bf16-tp1$/);
    expect(lines).toHaveLength(2);
  });

  it('--json gives id, name and tags', async () => {
    const r = await nimlet('manifest', 'ids', copy('nim1-non-llm.yaml'), '--json');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: H('3'), name: 'tensorrt-fp16-l4', tags: { backend: 'tensorrt', key: 'NVIDIA-L4_10.0.1_12', precision: 'fp16', gpu: 'L4' } },
      { id: H('4'), name: 'onnx-fp16', tags: { backend: 'onnx', precision: 'fp16' } },
    ]);
  });
});
