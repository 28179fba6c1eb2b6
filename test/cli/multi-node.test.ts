// The multi-node variables through the built CLI (DESIGN §14): the listing's group line, a worker's dry run (the
// argv its rank would run; a dry run does not wait for the leader), and a bad value's 78.
import { describe, expect, it } from 'vitest';
import { nimlet } from '../support/cli.js';
import { manifestOf } from '../support/manifest.js';
import { makeModelFolder, makeSandbox } from '../support/sandbox.js';

const TP8PP2 = 'c2'.padEnd(64, '0');
const manifest = manifestOf([{ id: TP8PP2, tags: { llm_engine: 'vllm', gpu: 'H100', gpu_device: '2330:10de', precision: 'bf16', tp: '8', pp: '2' } }]);
const group = (rank: number) => ({ NIM_MULTI_NODE: '1', NIM_NUM_COMPUTE_NODES: '2', NIM_NODE_RANK: String(rank), LWS_LEADER_ADDRESS: 'llama-lws-0.llama-lws.default' });

describe('multi-node through the CLI', () => {
  it('list-model-profiles: the profile runs across the group, and says so; without the group it does not fit', async () => {
    const sb = makeSandbox({ manifest });
    const across = await nimlet(['list-model-profiles'], { ...sb.env, ...group(0) });
    expect(across.code).toBe(0);
    expect(across.stdout).toContain(`- ${TP8PP2} (vllm-h100-bf16-tp8-pp2) [selected] [multi-node: 2 nodes × 8 GPUs]`);
    const alone = await nimlet(['list-model-profiles'], sb.env);
    expect(alone.stdout).toContain('needs 16 × 2330:10de (H100), found 8');
    expect(alone.stdout).not.toContain('multi-node: 2 nodes');
  });

  it('serve --dry-run on a worker: its rank\'s argv, --headless, all 8 GPUs', async () => {
    const sb = makeSandbox({ manifest });
    const r = await nimlet(['serve', '--dry-run', '--json'], { ...sb.env, ...group(1), NIM_MODEL_NAME: makeModelFolder(sb) });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { argv: string[]; gpus: number[] };
    expect(out.argv.slice(out.argv.indexOf('--nnodes'))).toEqual(['--nnodes', '2', '--node-rank', '1', '--master-addr', 'llama-lws-0.llama-lws.default', '--master-port', '29501', '--headless']);
    expect(out.gpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a rank outside the group is 78 naming NIM_NODE_RANK', async () => {
    const sb = makeSandbox({ manifest });
    const r = await nimlet(['select'], { ...sb.env, ...group(2) });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('NIM_NODE_RANK: rank 2 is outside a group of 2 nodes (0..1)');
  });
});
