#!/usr/bin/env node
// The front's cost (DESIGN §11): streamed chat completions straight to a stand-in engine vs through `nimlet serve`,
// in one run, at 1, 64 and 512 concurrent streams. The engine is test/fixtures/engines/fake-openai-engine, started
// by nimlet as its `vllm` (the one process both paths hit), streaming TOKENS tokens per request at one per
// TOKEN_MS. The load generator is this script: a closed loop per stream (a new request as soon as one ends) over
// keep-alive connections, WARMUP s ignored, then SECONDS s measured. Own client rather than autocannon: it must
// time each stream's first SSE event and count events, which autocannon does not report.
// Per concurrency, interleaved so drift hits each alike: direct A, through nimlet, direct B. Reported:
//   throughput (tokens/s) through ÷ direct A   bound ≥ 0.97
//   TTFB (request sent → first SSE event) p50/p99, through − direct at p99   bound ≤ 2 ms
//   nimlet's peak RSS (VmHWM)   bound ≤ 150 MB;   nimlet's CPU seconds per 1,000 tokens through it
//   the noise floor: direct B vs direct A (throughput ratio, p99 difference), what two identical runs differ by
// All three processes (this script, the engine, nimlet) share the machine's cores: read the floor first.
// Usage: node bench/front.mjs [--seconds S] [--streams 1,64,512]   (build first: npm run build)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from './front-load.mjs';

const root = path.resolve(import.meta.dirname, '..');
const opt = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(opt('--seconds', '10'));
const WARMUP = Number(opt('--warmup', '2'));
const STREAMS = opt('--streams', '1,64,512').split(',').map(Number);
const TOKENS = Number(opt('--tokens', '32'));
const TOKEN_MS = Number(opt('--token-ms', '50'));
const TICK = 100;
const phase = (port, streams) => runPhase({ port, streams, tokens: TOKENS, warmupS: WARMUP, seconds: SECONDS }); // clock ticks per second in /proc/<pid>/stat on Linux

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

async function startNimlet() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'front-bench-'));
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(path.join(root, 'test/fixtures/engines/fake-openai-engine'), path.join(bin, 'vllm'));
  fs.symlinkSync(path.join(root, 'test/fixtures/nvidia-smi/nvidia-smi'), path.join(bin, 'nvidia-smi'));
  const store = path.join(tmp, 'store');
  fs.mkdirSync(store);
  fs.writeFileSync(path.join(store, 'config.json'), '{}');
  const manifest = path.join(tmp, 'model_manifest.yaml');
  fs.writeFileSync(manifest, JSON.stringify({ schema_version: '2.0.0', profiles: [{ id: 'b'.repeat(64), tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' } }] }));
  const [port, enginePort] = [await freePort(), await freePort()];
  const env = {
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmp, NIMLET_MANIFEST: manifest, NIM_MODEL_NAME: store,
    NIM_CACHE_PATH: path.join(tmp, 'cache'), NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8', NIM_SERVER_PORT: String(port),
    NIMLET_ENGINE_PORT: String(enginePort), NIMLET_HEALTH_POLL_MS: '200', NIMLET_DRAIN_DELAY_MS: '0', FAKE_ENGINE_TOKEN_MS: String(TOKEN_MS),
  };
  const child = spawn(process.execPath, [path.join(root, 'bin/nimlet'), 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  for (;;) {
    const status = await new Promise((resolve) => http.get(`http://127.0.0.1:${port}/v1/health/ready`, (r) => (r.resume(), resolve(r.statusCode))).on('error', () => resolve(0)));
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, port, enginePort };
}

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime (fields 14 and 15)
}
const peakRssMB = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const nimlet = await startNimlet();
const rows = [];
let worstRatio = Infinity;
let worstAdded = -Infinity;
for (const n of STREAMS) {
  const directA = await phase(nimlet.enginePort, n);
  const cpu0 = cpuSeconds(nimlet.child.pid);
  const through = await phase(nimlet.port, n);
  const cpu = cpuSeconds(nimlet.child.pid) - cpu0;
  const directB = await phase(nimlet.enginePort, n);
  const ratio = through.tokensPerSec / directA.tokensPerSec;
  const added = through.p99 - directA.p99;
  worstRatio = Math.min(worstRatio, ratio);
  worstAdded = Math.max(worstAdded, added);
  rows.push({ n, directA, through, directB, ratio, added, cpuPer1k: (cpu / through.tokens) * 1000, floorRatio: directB.tokensPerSec / directA.tokensPerSec, floorP99: directB.p99 - directA.p99 });
}
const rss = peakRssMB(nimlet.child.pid);
nimlet.child.kill('SIGTERM');
await nimlet.exited;

const f = (x, d = 2) => x.toFixed(d);
console.log(`bench/front: ${TOKENS} tokens per stream, one per ${TOKEN_MS} ms; ${WARMUP} s warm-up + ${SECONDS} s per run; ${os.cpus().length} CPUs, node ${process.version}`);
console.log('streams | tok/s direct A | tok/s nimlet | ratio | TTFB p50/p99 direct A (ms) | TTFB p50/p99 nimlet (ms) | p99 added | nimlet CPU s/1k tok | floor: B/A ratio, p99 B−A');
for (const r of rows) {
  console.log(`${String(r.n).padStart(7)} | ${f(r.directA.tokensPerSec, 1).padStart(14)} | ${f(r.through.tokensPerSec, 1).padStart(12)} | ${f(r.ratio, 3)} | ${f(r.directA.p50)} / ${f(r.directA.p99)} | ${f(r.through.p50)} / ${f(r.through.p99)} | ${f(r.added)} ms | ${f(r.cpuPer1k, 4)} | ${f(r.floorRatio, 3)}, ${f(r.floorP99)} ms`);
}
console.log(`nimlet peak RSS: ${f(rss, 1)} MB (bound 150)`);
const ok = worstRatio >= 0.97 && worstAdded <= 2 && rss <= 150;
console.log(`bounds: throughput ratio ≥ 0.97 (worst ${f(worstRatio, 3)}), p99 TTFB added ≤ 2 ms (worst ${f(worstAdded)}), RSS ≤ 150 MB: ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
