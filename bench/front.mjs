#!/usr/bin/env node
// The front's cost (DESIGN §11): streamed chat completions straight to a stand-in engine vs through `nimlet serve`,
// in one run, at 1, 64 and 512 concurrent streams. The engine is test/fixtures/engines/fake-openai-engine, started
// by nimlet as its `vllm` (the one process every path hits), streaming TOKENS tokens per request at one per
// TOKEN_MS. The load generator is this script (front-load.mjs): a closed loop per stream (a new request as soon as
// one ends) over keep-alive connections, WARMUP s ignored, then SECONDS s measured. Own client rather than
// autocannon: it must time each stream's first SSE event and count events, which autocannon does not report. It
// speaks HTTP on bare sockets (--client raw, the default), so that it takes as little as it can of the cores the
// rows share; --client http is node:http's client, as up to stop 24.
// Per concurrency, interleaved so drift hits each alike: direct A, through nimlet, the floor rows, direct B.
// The floor rows (bench/front-floors.mjs) put another proxy process where nimlet is: a minimal node:http proxy
// (what a user would write), a bare Node relay (no HTTP library: the least a Node process costs) and nginx (one C
// worker; where nginx is installed). What they add is what any extra
// process on the path costs on this machine, whatever it does. Reported, each row against direct A:
//   throughput (tokens/s) ÷ direct A   bound ≥ 0.97
//   TTFB (request sent → first SSE event) p50/p99, p99 added (row − direct A)   bound ≤ 2 ms
//   nimlet's peak RSS (VmHWM)   bound ≤ 150 MB;   CPU seconds per 1,000 tokens of the process in the middle
//   the noise floor: direct B vs direct A, what two identical runs differ by
// All processes (this script, the engine, the proxy) share the machine's cores: read the floor rows first. A row
// begins once the one before has let go of its engine connections (nimlet's pool closes its idle ones after 4 s, the
// floors when told): up to stop 26 they were closed, 512 at once, during a later row (the floors' by the engine's
// 120 s keep-alive, in whichever row ran two minutes on), and that row paid for it.
// The streams start together and stay in lock step, so each concurrency's requests arrive as one burst every
// request-length and p99 is the time to drain a burst; --stagger spreads the starts over one request's length
// (clients that did not all begin at once): then p99 is one request's latency under the same steady load.
// --compare DIR adds a row through the nimlet of another built checkout (say main's), for before/after figures
// from one sitting; the two nimlet rows swap places every other round (give it an even --rounds). --rounds N repeats
// the interleaved cycle N times (a loaded machine): throughput and CPU are the medians over the rounds, TTFB
// quantiles are over all rounds' requests together, and each round's own p99 is listed
// beside them (its spread is how far one round can be trusted); from 6 rounds each row's p99 added gets a 90 %
// interval (bench/front-stats.mjs: rounds resampled) and a verdict against the bound: met, not met, or undecided
// at the sitting's noise. nimlet runs with the node options of docker/nimlet
// (as the image runs it); --node-args "..." adds more, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
// --save FILE writes every round's measurements (each request's TTFB included) as JSON.
// Usage: node bench/front.mjs [--seconds S] [--streams 1,64,512] [--rounds N] [--stagger] [--compare DIR] [--no-floors] [--client raw|http] [--save FILE]   (build first: npm run build)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startFloors } from './front-floors.mjs';
import { addedP99Interval, verdict } from './front-stats.mjs';
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
const ROUNDS = Number(opt('--rounds', '1'));
const NODE_ARGS = opt('--node-args', '').split(' ').filter(Boolean);
const TICK = 100; // clock ticks per second in /proc/<pid>/stat on Linux
const STAGGER_MS = process.argv.includes('--stagger') ? TOKENS * TOKEN_MS : 0;
const CLIENT = opt('--client', 'raw');
const phase = (port, streams) => runPhase({ port, streams, tokens: TOKENS, warmupS: WARMUP, seconds: SECONDS, staggerMs: STAGGER_MS, client: CLIENT });

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** The options the image gives nimlet's node (docker/nimlet's exec line): the rows measure nimlet as it ships. */
function imageNodeFlags(from) {
  const line = /^exec \S+\/node((?: --\S+)*) \S+\/bin\/nimlet /m.exec(fs.readFileSync(path.join(from, 'docker/nimlet'), 'utf8'));
  if (line === null) throw new Error(`${from}/docker/nimlet has no "exec …/node [--flag…] …/bin/nimlet" line to read nimlet's node options from`);
  return line[1].split(' ').filter(Boolean);
}

/** `nimlet serve` from the checkout at `from` (built), with this checkout's stand-in engine as its vllm. */
async function startNimlet(from) {
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
  const child = spawn(process.execPath, [...imageNodeFlags(from), ...NODE_ARGS, path.join(from, 'bin/nimlet'), 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  for (;;) {
    const status = await new Promise((resolve) => http.get(`http://127.0.0.1:${port}/v1/health/ready`, (r) => (r.resume(), resolve(r.statusCode))).on('error', () => resolve(0)));
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, port, enginePort };
}

/** CPU seconds of `pid` so far: [in user space, in the kernel] (utime and stime, fields 14 and 15 of stat). */
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(f[11]) / TICK, Number(f[12]) / TICK];
}
/** read and write system calls of `pid` so far (/proc/<pid>/io: socket reads and writes count, epoll waits do not). */
function syscalls(pid) {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/syscr: (\d+)/.exec(io)[1]) + Number(/syscw: (\d+)/.exec(io)[1]);
}
const peakRssMB = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Open TCP connections to any of `ports` on this host, counted at the listening side (/proc/net/tcp: ESTABLISHED or CLOSE_WAIT). */
function connectionsTo(ports) {
  const hex = new Set(ports.map((p) => p.toString(16).toUpperCase().padStart(4, '0')));
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 3 && hex.has(f[1].split(':')[1]) && (f[3] === '01' || f[3] === '08')) n++;
    }
  }
  return n;
}

/**
 * Waits until the engines have no more connections open than before the first row (+2: a health poll's): a row's
 * middle process closing its idle engine connections (nimlet's pool after 4 s, the floors when told) would otherwise
 * do it, 512 at once, in the next row's measurement, and that row paid for it. Returns the seconds waited.
 */
async function quiet(ports, baseline) {
  const start = performance.now();
  while (connectionsTo(ports) > baseline + 2 && performance.now() - start < 15_000) await new Promise((r) => setTimeout(r, 100));
  return (performance.now() - start) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One row's phase: load through `port`, with the CPU seconds the process `pid` spent meanwhile. */
async function measured(port, pid, n) {
  const [[user0, kernel0], sys0] = [cpuSeconds(pid), syscalls(pid)];
  const r = await phase(port, n);
  const [user1, kernel1] = cpuSeconds(pid);
  // warm-up included in all counts: per token, over the tokens of the whole phase (rate × (warm-up + measured))
  const tokens = r.tokensPerSec * (WARMUP + SECONDS);
  return { ...r, cpu: user1 - user0 + kernel1 - kernel0, user: user1 - user0, sys: (syscalls(pid) - sys0) / tokens };
}

const nimlet = await startNimlet(root);
// another checkout's nimlet as one more row (before/after in one sitting); it runs its own engine, idle meanwhile
const other = opt('--compare', null) === null ? null : { dir: path.resolve(opt('--compare')), ...(await startNimlet(path.resolve(opt('--compare')))) };
const floors = process.argv.includes('--no-floors') ? [] : await startFloors(nimlet.enginePort, freePort);
const engine = { port: nimlet.enginePort, pid: nimlet.child.pid }; // direct rows: no process in between
const compared = other === null ? [] : [{ name: `nimlet ${path.basename(other.dir)}`.slice(0, 17), port: other.port, pid: other.child.pid }];
const paths = [{ name: 'direct A', ...engine }, { name: 'nimlet', port: nimlet.port, pid: nimlet.child.pid }, ...compared, ...floors, { name: 'direct B', ...engine }];
const enginePorts = other === null ? [nimlet.enginePort] : [nimlet.enginePort, other.enginePort];
const baseline = connectionsTo(enginePorts);
let longestWait = 0;
const results = new Map(); // `${n} ${name}` → [{ tokensPerSec, p50, p99, tokens, cpu }] over the rounds
for (let round = 0; round < ROUNDS; round++) {
  // the second of two nimlet rows did worse than the first, same code in both (one nimlet against itself, 5
  // sittings: 0.4 to 2.9 ms more p99 at 512 staggered): with --compare they take turns, so an even number of rounds
  // gives each both places
  const order = other !== null && round % 2 === 1 ? [paths[0], paths[2], paths[1], ...paths.slice(3)] : paths;
  for (const n of STREAMS) {
    for (const p of order) {
      const key = `${n} ${p.name}`;
      results.set(key, [...(results.get(key) ?? []), await measured(p.port, p.pid, n)]);
      p.dropIdle?.();
      longestWait = Math.max(longestWait, await quiet(enginePorts, baseline));
    }
  }
}
const rss = peakRssMB(nimlet.child.pid);
// every round's requests, for recomputing the figures or the intervals later (bench/front-stats.mjs)
const SAVE = opt('--save', null);
if (SAVE !== null) fs.writeFileSync(SAVE, JSON.stringify({ argv: process.argv.slice(2), rounds: ROUNDS, paths: paths.map((p) => p.name), results: Object.fromEntries(results) }));
for (const fl of floors) fl.stop();
for (const x of other === null ? [nimlet] : [nimlet, other]) x.child.kill('SIGTERM');
await Promise.all([nimlet.exited, other?.exited]);

const f = (x, d = 2) => x.toFixed(d);
const row = (n, name) => {
  const rs = results.get(`${n} ${name}`);
  const pick = (k) => median(rs.map((r) => r[k]));
  const per1k = (k) => median(rs.map((r) => (r[k] / (r.tokensPerSec * (WARMUP + SECONDS))) * 1000));
  // TTFB quantiles over every round's requests together: a round in lock step at 64 streams has about 400, so its
  // p99 is its 4th worst and a median of three such figures swings by more than the 2 ms bound; pooled, three rounds
  // put the p99 at the 12th worst of 1,200
  const ttfb = rs.flatMap((r) => r.ttfb).sort((x, y) => x - y);
  const q = (p) => ttfb[Math.min(ttfb.length - 1, Math.floor(p * ttfb.length))] ?? NaN;
  return { tokensPerSec: pick('tokensPerSec'), p50: q(0.5), p99: q(0.99), roundP99: rs.map((r) => r.p99), roundTtfb: rs.map((r) => r.ttfb), sys: pick('sys'), cpuPer1k: per1k('cpu'), userPer1k: per1k('user') };
};
console.log(`bench/front: ${TOKENS} tokens per stream, one per ${TOKEN_MS} ms; ${WARMUP} s warm-up + ${SECONDS} s per run; ${ROUNDS} round(s)${ROUNDS > 1 ? ', throughput and CPU medians, TTFB over all rounds’ requests' : ''}; ${CLIENT === 'raw' ? 'bare-socket' : 'node:http'} client; streams ${STAGGER_MS > 0 ? `staggered over ${STAGGER_MS} ms` : 'in lock step (bursts)'}; ${os.cpus().length} CPUs, node ${process.version} (nimlet's with ${[...imageNodeFlags(root), ...NODE_ARGS].join(' ') || 'no options'}), load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log(`streams | path              | tok/s   | ÷ direct A | TTFB p50 / p99 (ms) | p99 added (ms) | middle process: CPU s/1k tok (of it in user space), read+write syscalls/tok${ROUNDS > 1 ? ' | p99 by round (ms)' : ''}`);
let worstRatio = Infinity;
let worstAdded = -Infinity;
const verdicts = [];
for (const n of STREAMS) {
  const a = row(n, 'direct A');
  for (const p of paths) {
    const r = row(n, p.name);
    const ratio = r.tokensPerSec / a.tokensPerSec;
    const added = r.p99 - a.p99;
    if (p.name === 'nimlet') [worstRatio, worstAdded] = [Math.min(worstRatio, ratio), Math.max(worstAdded, added)];
    const cpu = p.name.startsWith('direct') ? '' : `${f(r.cpuPer1k, 4)} (${f(r.userPer1k, 4)}), ${f(r.sys)}`;
    const rounds = ROUNDS > 1 ? ` | ${r.roundP99.map((x) => f(x)).join(' ')}` : '';
    console.log(`${String(n).padStart(7)} | ${p.name.padEnd(17)} | ${f(r.tokensPerSec, 1).padStart(7)} | ${f(ratio, 3).padStart(10)} | ${`${f(r.p50)} / ${f(r.p99)}`.padStart(19)} | ${(p.name === 'direct A' ? '' : f(added)).padStart(14)} | ${cpu.padEnd(24)}${rounds}`);
    const interval = p.name === 'direct A' ? null : addedP99Interval(r.roundTtfb, a.roundTtfb);
    if (interval !== null) verdicts.push(`${String(n).padStart(7)} | ${p.name.padEnd(17)} | ${f(added).padStart(7)} [${f(interval.low)}, ${f(interval.high)}] | ${verdict(interval, 2)}`);
  }
  // nimlet against the least a Node process in its place adds: an interval across 0 says the host, not nimlet's
  // code, sets its tail
  const [nim, bare] = [row(n, 'nimlet'), paths.some((p) => p.name === 'bare node') ? row(n, 'bare node') : null];
  const overBare = bare === null ? null : addedP99Interval(nim.roundTtfb, bare.roundTtfb);
  if (overBare !== null) verdicts.push(`${String(n).padStart(7)} | nimlet − bare     | ${f(nim.p99 - bare.p99).padStart(7)} [${f(overBare.low)}, ${f(overBare.high)}] | ${overBare.low > 0 ? 'nimlet adds more' : overBare.high < 0 ? 'nimlet adds less' : 'no difference at this noise'}`);
}
console.log('direct B − direct A is the noise floor; the floor rows are what another process in nimlet\'s place adds.');
if (verdicts.length > 0) {
  // bench/front-stats.mjs: the rounds resampled, each row paired with direct A's requests of the same rounds
  console.log(`p99 added, 90 % interval over the ${ROUNDS} rounds (bootstrap), against the 2 ms bound:`);
  for (const v of verdicts) console.log(v);
} else if (ROUNDS > 1) {
  console.log('(an interval for the p99 added needs --rounds 6 or more)');
}
console.log(`each row began once the row before had let go of its engine connections (the longest wait ${f(longestWait, 1)} s)`);
console.log(`nimlet peak RSS: ${f(rss, 1)} MB (bound 150)`);
const ok = worstRatio >= 0.97 && worstAdded <= 2 && rss <= 150;
console.log(`bounds for nimlet: throughput ratio ≥ 0.97 (worst ${f(worstRatio, 3)}), p99 TTFB added ≤ 2 ms (worst ${f(worstAdded)}), RSS ≤ 150 MB: ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
