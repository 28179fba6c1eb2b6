// DESIGN §6 through the built CLI on 8 × H100 (the project's fake nvidia-smi first on PATH): what the NIM Operator
// does — a cache Job runs `download-to-cache --profiles <tp1>`, then a service starts with no pin — serves that tp1
// profile with zero requests, where the ranking alone picks the H100 tp8 build, which would be downloaded.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet } from '../support/cli.js';
import { idOf, writeManifest, wsName } from '../support/manifest.js';
import { ROOT } from '../support/paths.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';

const MACHINES = path.join(ROOT, 'test/fixtures/nvidia-smi/machines');
const TP8 = 'tensorrt_llm-h100-bf16-tp8-throughput';
const TP2 = 'vllm-bf16-tp2';
const TP1 = 'vllm-bf16-tp1';
const PREFERRED = 'cached on purpose by download-to-cache --profiles; NIMLET_PREFER_CACHED=0 turns this off';

let dir: string;
let srv: ArtifactServer;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  srv = await sb.server();
  const files: Record<string, string> = { 'config.json': '{"architectures":["LlamaForCausalLM"]}', 'rank0.engine': 'engine', 'tp2.safetensors': 'tp2', 'tp1.safetensors': 'tp1' };
  for (const [name, text] of Object.entries(files)) srv.add(`/m/${name}`, bytesBody(text));
  const file = async (name: string) => ({ uri: `${srv.url}/m/${name}`, sha256: await sha256Of(bytesBody(files[name]!)), size: files[name]!.length });
  await writeManifest(path.join(dir, 'model_manifest.yaml'), [
    {
      name: TP8,
      tags: { llm_engine: 'tensorrt_llm', gpu: 'H100', gpu_device: '2330:10de', precision: 'bf16', tp: '8', pp: '1', profile: 'throughput' },
      files: { 'config.json': await file('config.json'), 'rank0.engine': await file('rank0.engine') },
    },
    { name: TP2, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '2', pp: '1' }, files: { 'config.json': await file('config.json'), 'model.safetensors': await file('tp2.safetensors') } },
    { name: TP1, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1', pp: '1' }, files: { 'config.json': await file('config.json'), 'model.safetensors': await file('tp1.safetensors') } },
  ]);
});

const cache = () => path.join(dir, 'cache');
function run(args: string[], extra: Record<string, string> = {}) {
  return nimlet(args, cliEnv({
    PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
    NIM_CACHE_PATH: cache(),
    NIMLET_MANIFEST: path.join(dir, 'model_manifest.yaml'),
    NIMLET_ENGINES: 'vllm,tensorrt_llm',
    NIMLET_FAKE_NVSMI_MACHINE: path.join(MACHINES, 'h100-sxm-x8'),
    NIMLET_PROBE_TIMEOUT: '60', // each query of the fake nvidia-smi starts node: more than 10 s on a loaded machine
    ...extra,
  }));
}
async function selected(extra: Record<string, string> = {}): Promise<{ id: string; reasons: string[] }> {
  const r = await run(['select', '--json'], extra);
  expect(r.code, r.all).toBe(0);
  return JSON.parse(r.stdout) as { id: string; reasons: string[] };
}
const onPurposeMarks = async () => (await readdir(path.join(cache(), 'records')).catch(() => [] as string[])).filter((n) => n.endsWith('.on-purpose'));

describe('a profile cached on purpose is served with no pin', () => {
  it('download-to-cache --profiles <tp1>, then select and serve --dry-run pick tp1 with zero requests', async () => {
    expect((await selected()).id).toBe(idOf(TP8)); // the ranking alone, on an empty cache
    const dl = await run(['download-to-cache', '--profiles', TP1, '--json']);
    expect(dl.code, dl.all).toBe(0);
    expect(await onPurposeMarks()).toEqual([`${wsName(TP1)}.on-purpose`]);
    srv.reset();

    const s = await selected();
    expect(s.id).toBe(idOf(TP1));
    expect(s.reasons[0]).toBe(`${PREFERRED} (chosen over the better-ranked ${idOf(TP8)} (${TP8}), which was not)`);
    const serve = await run(['serve', '--dry-run', '--json']);
    expect(serve.code, serve.all).toBe(0);
    const out = JSON.parse(serve.stdout) as { profile: { id: string }; download: unknown };
    expect({ profile: out.profile.id, download: out.download }).toEqual({ profile: idOf(TP1), download: { files: 2, bytes: 0, cached: 2, unknownSizeFiles: 0 } });
    const listing = await run(['list-model-profiles', '--explain']);
    expect(listing.stdout).toContain(`${idOf(TP1)} (${TP1}) [selected]\n      ${PREFERRED}`);
    expect(srv.requests()).toEqual([]);

    // turned off: the plain ranking again
    expect((await selected({ NIMLET_PREFER_CACHED: '0' })).id).toBe(idOf(TP8));
    const bad = await run(['select'], { NIMLET_PREFER_CACHED: 'maybe' });
    expect([bad.code, bad.stderr]).toEqual([78, expect.stringContaining('NIMLET_PREFER_CACHED="maybe" is not valid')]);
    // a pin always wins
    expect((await selected({ NIM_MODEL_PROFILE: TP2 })).id).toBe(idOf(TP2));
  });

  it('create-model-store records its profile too', async () => {
    const r = await run(['create-model-store', '--profile', TP1, '--model-store', path.join(dir, 'store')]);
    expect(r.code, r.all).toBe(0);
    expect(await onPurposeMarks()).toEqual([`${wsName(TP1)}.on-purpose`]);
    expect((await selected()).id).toBe(idOf(TP1));
  });

  it('--all and the automatic download record nothing: no preference', async () => {
    for (const args of [['download-to-cache', '--all'], ['download-to-cache']]) {
      const r = await run(args);
      expect(r.code, r.all).toBe(0);
    }
    expect(await onPurposeMarks()).toEqual([]);
  });

  it('a planted mark for a profile not complete in the cache changes nothing', async () => {
    expect((await run(['download-to-cache', '--profiles', TP1])).code).toBe(0);
    // tp2 ranks above tp1 on 8 GPUs: if its planted mark counted, tp2 would be chosen (and downloaded)
    await writeFile(path.join(cache(), 'records', `${wsName(TP2)}.on-purpose`), '{}');
    await writeFile(path.join(cache(), 'records', `${wsName(TP8)}.on-purpose`), '{}');
    srv.reset();
    expect((await selected()).id).toBe(idOf(TP1));
    expect(srv.requests()).toEqual([]);
  });
});
