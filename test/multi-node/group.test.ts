// A LeaderWorkerSet group played by network namespaces (DESIGN §14): one nimlet per "node", each on its own
// address and the same NIM_SERVER_PORT, with a stand-in engine that really meets its group over TCP at the leader's
// rendezvous address (test/fixtures/engines/rendezvous-engine), so a wrong address, rank, size or port fails here.
import { readFileSync, existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestOf } from '../support/manifest.js';
import { BIN } from '../support/paths.js';
import { makeModelFolder, makeSandbox } from '../support/sandbox.js';
import { request, until } from '../front/front-helpers.js';
import { createGroup, netnsUnavailable, type Group } from './netns.js';

const RDV = fileURLToPath(new URL('../fixtures/engines/rendezvous-engine', import.meta.url));
const skip = netnsUnavailable();
if (skip !== null) console.warn(`multi-node group tests skipped: ${skip}`);

const h100 = { llm_engine: 'vllm', gpu: 'H100', gpu_device: '2330:10de', precision: 'bf16', tp: '8' };
const TP8PP2 = 'a2'.padEnd(64, '0');
const TP8PP4 = 'a4'.padEnd(64, '0');
const SG8PP2 = 'b2'.padEnd(64, '0');
const MANIFEST = manifestOf([{ id: TP8PP2, tags: { ...h100, pp: '2' } }, { id: TP8PP4, tags: { ...h100, pp: '4' } }, { id: SG8PP2, tags: { ...h100, llm_engine: 'sglang', pp: '2' } }]);

interface Node { child: ChildProcess; out: { text: string }; exit: Promise<number | null> }
interface Running { group: Group; nodes: Node[]; record: string }
const running: Running[] = [];

afterEach(() => {
  for (const r of running.splice(0)) {
    for (const n of r.nodes) if (n.child.exitCode === null) try { process.kill(-n.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    for (const e of events(r.record)) if (e.event === 'start') try { process.kill(e.pid as number, 'SIGKILL'); } catch { /* gone */ }
    r.group.remove();
  }
});

function events(record: string): Record<string, unknown>[] {
  return existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

/** Starts nimlet serve on every node of a fresh group; `machine(i)` picks each node's captured GPUs. */
function startGroup(size: number, machine: (i: number) => string = () => 'h100-sxm-x8', only?: number[], extra: Record<string, string> = {}, engine: 'vllm' | 'sglang' = 'vllm'): Running {
  const group = createGroup(size);
  const sb = makeSandbox({ manifest: MANIFEST, engines: [] });
  // vLLM: the stand-in first on PATH as `vllm`; SGLang: named by NIMLET_SGLANG_CMD (and no vllm here at all)
  if (engine === 'vllm') symlinkSync(RDV, path.join(sb.bin, 'vllm'));
  else extra = { NIMLET_SGLANG_CMD: RDV, ...extra };
  const model = makeModelFolder(sb);
  const record = path.join(sb.dir, 'rendezvous.jsonl');
  const base = { ...sb.env };
  delete base.NIMLET_FRONT;
  const nodes = group.nodes.map((_n, i) => {
    const env = {
      ...base, NIM_MODEL_NAME: model, RDV_RECORD: record, NIMLET_FAKE_NVSMI_MACHINE: machine(i),
      NIM_CACHE_PATH: path.join(sb.dir, `cache-${i}`), XDG_CACHE_HOME: path.join(sb.dir, `xdg-${i}`),
      // what the NIM Operator's LeaderWorkerSet gives each pod (nimservice-lws.yaml, MPI mode)
      NIM_MULTI_NODE: '1', NIM_NUM_COMPUTE_NODES: String(size), NIM_NODE_RANK: String(i), NIM_LEADER_ROLE: i === 0 ? '1' : '0',
      NIM_TENSOR_PARALLEL_SIZE: '8', NIM_PIPELINE_PARALLEL_SIZE: String(size), LWS_LEADER_ADDRESS: group.nodes[0]!.address,
      NIM_SERVER_PORT: '8000', NIMLET_LEADER_TIMEOUT: '60', NIMLET_DRAIN_DELAY_MS: '1000',
      // the engine's /health asked every 50 ms, not every second: ready (and a lost peer) seen sooner
      NIMLET_HEALTH_POLL_MS: '50', ...extra,
    };
    if (only !== undefined && !only.includes(i)) return null;
    const child = group.spawnIn(i, [process.execPath, BIN, 'serve'], env);
    const out = { text: '' };
    child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out.text += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, out, exit };
  });
  const r = { group, nodes: nodes.filter((n): n is Node => n !== null), record };
  running.push(r);
  return r;
}

const url = (r: Running, i: number, p: string) => `http://${r.group.nodes[i]!.address}:8000${p}`;
const statusOf = async (u: string) => (await request(u)).status;

describe.skipIf(skip !== null)('a multi-node group in network namespaces', () => {
  it.each([['vllm', 2], ['vllm', 4], ['sglang', 2]] as const)('%s, a group of %i on 8 × H100 each: argv, rendezvous, ready, a chat through the leader; a worker killed: the group stops', async (engine, size) => {
    const r = startGroup(size, undefined, undefined, {}, engine);
    const leader = r.group.nodes[0]!.address;
    expect(await until('the leader ready', async () => ((await statusOf(url(r, 0, '/v1/health/ready'))) === 200 ? true : undefined), 90_000)).toBe(true);

    const starts = events(r.record).filter((e) => e.event === 'start').sort((a, b) => (a.rank as number) - (b.rank as number));
    expect(starts.map((e) => e.rank)).toEqual(Array.from({ length: size }, (_, i) => i));
    for (const e of starts) {
      const argv = e.argv as string[];
      const rank = e.rank as number;
      const shape = engine === 'vllm' ? ['--tensor-parallel-size', '8', '--pipeline-parallel-size', String(size)] : ['--tp-size', '8', '--pp-size', String(size)];
      expect(argv.slice(argv.indexOf(shape[0]!), argv.indexOf(shape[0]!) + 4)).toEqual(shape);
      const tail = engine === 'vllm'
        ? ['--nnodes', String(size), '--node-rank', String(rank), '--master-addr', leader, '--master-port', '29501', ...(rank > 0 ? ['--headless'] : [])]
        : ['--nnodes', String(size), '--node-rank', String(rank), '--dist-init-addr', `${leader}:29501`];
      expect(argv.slice(argv.indexOf('--nnodes'))).toEqual(tail);
      expect(e.cuda).toBe('0,1,2,3,4,5,6,7');
    }
    expect(events(r.record).filter((e) => e.event === 'joined' && e.rank === 0).map((e) => e.peer).sort()).toEqual(Array.from({ length: size - 1 }, (_, i) => i + 1));

    const chat = await request(url(r, 0, '/v1/chat/completions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'store', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(chat.status).toBe(200);
    expect(JSON.parse(chat.body)).toMatchObject({ rank: 0, nodes: size, choices: [{ message: { content: `rank 0 of ${size} answered` } }] });
    const meta = JSON.parse((await request(url(r, 0, '/v1/metadata'))).body) as { profile: { id: string }; multiNode: unknown };
    expect(meta.profile.id).toBe(engine === 'sglang' ? SG8PP2 : size === 2 ? TP8PP2 : TP8PP4);
    expect(meta.multiNode).toEqual({ nodes: size, rank: 0, gpus: expect.stringMatching(/^8 × /) });
    for (let i = 1; i < size; i++) {
      expect(await until(`worker ${i} ready`, async () => ((await statusOf(url(r, i, '/v1/health/ready'))) === 200 ? true : undefined))).toBe(true);
      expect(await statusOf(url(r, i, '/v1/metadata'))).toBe(404); // a worker's front serves only its health
    }

    // the last worker's pod vanishes (nimlet and its engine at once); the stand-in rank 0 hangs on like a real
    // engine with a lost NCCL peer, so what follows is nimlet's own doing
    const victim = size - 1;
    process.kill(-r.nodes[victim]!.child.pid!, 'SIGKILL');
    process.kill(starts[victim]!.pid as number, 'SIGKILL');
    const notReady = await until('the leader not ready', async () => {
      const a = await request(url(r, 0, '/v1/health/ready'));
      return a.status === 503 ? JSON.parse(a.body) as Record<string, unknown> : undefined;
    });
    expect(notReady).toMatchObject({ status: 'not ready', stage: 'unhealthy' });
    // every remaining pod ends, non-zero: its container restarts, and RecreateGroupOnPodRestart recreates the group
    const codes = await Promise.all(r.nodes.filter((_n, i) => i !== victim).map((n) => n.exit));
    expect(codes.map((c, i) => (c !== 0 && c !== null ? 'non-zero' : `${c}: ${r.nodes[i]!.out.text}`))).toEqual(codes.map(() => 'non-zero'));
    expect(r.nodes[0]!.out.text).toContain(`worker rank ${victim} left the group; stopping so that LeaderWorkerSet recreates the group`);
    if (size > 2) expect(r.nodes[1]!.out.text).toContain('the leader left the group');
  }, 180_000);

  it('a worker with other GPUs refuses the leader\'s profile, naming both inventories', async () => {
    const r = startGroup(2, (i) => (i === 0 ? 'h100-sxm-x8' : 'a100-80gb-x4'));
    const code = await r.nodes[1]!.exit;
    expect(code).toBe(69);
    expect(r.nodes[1]!.out.text).toMatch(new RegExp(`worker rank 1 cannot run the leader's profile ${TP8PP2} \\(.*\\): .*; the leader has 8 × .*H100.*, this node has 4 × .*A100`));
  }, 120_000);

  it('a worker whose leader never answers gives up after NIMLET_LEADER_TIMEOUT with a clear error', async () => {
    const r = startGroup(2, undefined, [1], { NIMLET_LEADER_TIMEOUT: '1' });
    expect(await r.nodes[0]!.exit).toBe(75);
    expect(r.nodes[0]!.out.text).toContain(`worker rank 1: the leader at http://${r.group.nodes[0]!.address}:8000/v1/metadata gave no profile within 1 s`);
    expect(events(r.record)).toEqual([]); // no engine started
  }, 60_000);
});
