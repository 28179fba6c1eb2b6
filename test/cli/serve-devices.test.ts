// What the engine is given as its GPUs (DESIGN §8), through the built CLI: nvidia-smi indices with
// CUDA_DEVICE_ORDER=PCI_BUS_ID for whole GPUs (a heterogeneous A100 + T4 host: the A100s' own indices), a MIG- UUID
// for a MIG device. And a profile without files (issue 10): served only from NIM_MODEL_NAME.
import { describe, expect, it } from 'vitest';
import { nimlet } from '../support/cli.js';
import { manifestOf } from '../support/manifest.js';
import { makeModelFolder, makeSandbox } from '../support/sandbox.js';

const ID = 'd0'.repeat(32);
const FILES = { 'config.json': { uri: 'hf://acme/Model-7B:main?file=config.json', size: 2 } };


async function dryRun(tags: Record<string, string>, machine: string, extra: Record<string, string> = {}) {
  const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags, workspace: { files: FILES } }]) });
  const r = await nimlet(['serve', '--dry-run', '--json'], {
    ...sb.env, NIMLET_ENGINES: 'vllm,tensorrt_llm,sglang', NIMLET_FAKE_NVSMI_MACHINE: machine, NIM_MODEL_NAME: makeModelFolder(sb), ...extra,
  });
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout) as { gpus: number[]; env: Record<string, string> };
}

describe('serve --dry-run --json: the GPUs the engine gets', () => {
  it('A100 + T4 host (T4s at 0 and 2): a bf16 tp2 profile runs on the A100s, named 1,3 in PCI bus order', async () => {
    const out = await dryRun({ llm_engine: 'vllm', precision: 'bf16', tp: '2' }, 'a100-t4-mixed');
    expect(out.gpus).toEqual([1, 3]);
    expect([out.env.CUDA_VISIBLE_DEVICES, out.env.CUDA_DEVICE_ORDER]).toEqual(['1,3', 'PCI_BUS_ID']);
  });

  it('8 × H100, tp4: indices 0-3, never GPU- UUIDs (vLLM before mid-2026 calls int() on each)', async () => {
    const out = await dryRun({ llm_engine: 'vllm', precision: 'bf16', tp: '4' }, 'h100-sxm-x8');
    expect(out.env.CUDA_VISIBLE_DEVICES).toBe('0,1,2,3');
  });

  it.each(['sglang', 'tensorrt_llm'])('MIG host: %s on a MIG device gets its MIG- UUID', async (engine) => {
    const out = await dryRun({ llm_engine: engine, precision: 'bf16', tp: '1' }, 'h100-mig-x1');
    expect([out.env.CUDA_VISIBLE_DEVICES, out.env.CUDA_DEVICE_ORDER]).toEqual(['MIG-c0ffee00-0000-5a6b-8c9d-000000000000', 'PCI_BUS_ID']);
  });

  it('MIG host with three MIG devices: a vLLM profile is refused (69) with how to expose only one', async () => {
    const sb = makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files: FILES } }]) });
    const r = await nimlet(['serve', '--dry-run'], { ...sb.env, NIMLET_FAKE_NVSMI_MACHINE: 'h100-mig-x1', NIM_MODEL_NAME: makeModelFolder(sb) });
    expect(r.code).toBe(69);
    expect(r.stderr).toContain('vLLM cannot be pinned to one MIG device (MIG device 0 (3g.40gb) of GPU 0) of several');
    expect(r.stderr).toContain('NVIDIA_VISIBLE_DEVICES=MIG-c0ffee00-0000-5a6b-8c9d-000000000000');
  });
});

describe('a profile that lists no files', () => {
  const manifest = () => makeSandbox({ manifest: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files: {} } }]) });

  it('serve refuses it (65, naming it) unless NIM_MODEL_NAME gives the model', async () => {
    const sb = manifest();
    const refused = await nimlet(['serve', '--dry-run'], sb.env);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(new RegExp(`^nimlet: profile ${ID} \\(vllm-bf16-tp1\\) lists no files \\(.*model_manifest.yaml:\\d+\\), so there is no model to serve\\n`));
    const store = makeModelFolder(sb);
    const served = await nimlet(['serve', '--dry-run', '--json'], { ...sb.env, NIM_MODEL_NAME: store });
    expect(served.code).toBe(0);
    expect((JSON.parse(served.stdout) as { modelDir: string }).modelDir).toBe(store);
  });

  it('download-to-cache refuses it (65), manifest validate warns', async () => {
    const sb = manifest();
    const dl = await nimlet(['download-to-cache', '--profiles', ID], sb.env);
    expect(dl.code).toBe(65);
    expect(dl.stderr).toContain(`profile ${ID} (vllm-bf16-tp1) lists no files`);
    const v = await nimlet(['manifest', 'validate', sb.manifest], sb.env);
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(new RegExp(`^warning: .*model_manifest.yaml:\\d+: profile ${ID} \\(vllm-bf16-tp1\\) lists no files: it serves only with NIM_MODEL_NAME set to a model folder\\n$`));
  });
});
