#!/usr/bin/env node
// Which library passes SSE through faster: the front's node:http proxy (src/front/proxy.ts) or undici, each in its
// own minimal process in front of the same stand-in engine, at 64 and 512 streams, interleaved with direct runs.
// Prints throughput ÷ direct, TTFB p50/p99 and each proxy's CPU seconds per 1,000 tokens.
// Usage: node bench/front-proxies.mjs [--seconds S]   (build first: npm run build)
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runPhase } from './front-load.mjs';

const root = path.resolve(import.meta.dirname, '..');
const i = process.argv.indexOf('--seconds');
const SECONDS = i > 0 ? Number(process.argv[i + 1]) : 8;
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const cpu = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const enginePort = await freePort();
const engine = spawn(process.execPath, [path.join(root, 'test/fixtures/engines/fake-openai-engine'), '--port', String(enginePort)], {
  env: { ...process.env, FAKE_ENGINE_TOKEN_MS: '50' }, stdio: 'ignore',
});
const proxies = [];
for (const kind of ['node:http', 'undici']) {
  const port = await freePort();
  const child = fork(path.join(root, 'bench/front-proxy-child.mjs'), [kind, String(port), String(enginePort)], { stdio: 'ignore' });
  await new Promise((r) => child.once('message', r));
  proxies.push({ kind, port, child });
}
await new Promise((r) => setTimeout(r, 300));
const f = (x, d = 2) => x.toFixed(d);
console.log(`bench/front-proxies: 32 tokens per stream, one per 50 ms, 1 s warm-up + ${SECONDS} s per run`);
for (const streams of [64, 512]) {
  const phase = (port) => runPhase({ port, streams, tokens: 32, warmupS: 1, seconds: SECONDS });
  const direct = await phase(enginePort);
  for (const p of proxies) {
    const c0 = cpu(p.child.pid);
    const r = await phase(p.port);
    const used = cpu(p.child.pid) - c0;
    console.log(`${String(streams).padStart(4)} streams ${p.kind.padEnd(9)}: ratio ${f(r.tokensPerSec / direct.tokensPerSec, 3)}, TTFB p50/p99 ${f(r.p50)}/${f(r.p99)} ms (direct ${f(direct.p50)}/${f(direct.p99)}), CPU ${f((used / r.tokens) * 1000, 4)} s per 1k tokens`);
  }
}
for (const p of proxies) p.child.kill();
engine.kill();
