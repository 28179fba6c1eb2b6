#!/usr/bin/env node
// What this machine does to code that runs after its process was idle: the premise of README Performance's reading
// of bench/front.mjs in lock step, where every burst of requests meets a front that was asleep. Times one parse of a
// request head (request-head.ts, optimized by a warm-up) and one loop of register-only arithmetic, each right after
// the event loop slept 0, 1, 5 or 20 ms, as ratios of the back-to-back (0 ms) time. Arithmetic that stays slow
// points at the CPU's clock; a parse that slows far more than the arithmetic points at caches emptied while the
// process slept (on a VM, by whatever the host ran on its core meanwhile), and then what a request costs after a
// pause grows with how much code and data the request path touches, not with its instructions alone.
// Usage: node bench/idle-cold.mjs [--samples N]   (build first: npm run build)
import { parseRequestHead } from '../dist/front/request-head.js';

const i = process.argv.indexOf('--samples');
const SAMPLES = i > 0 ? Number(process.argv[i + 1]) : 200;
const head = Buffer.from('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:8000\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: 99\r\n\r\n');

const parse = () => parseRequestHead(head, 16 * 1024);
function arithmetic() {
  let x = 1;
  for (let k = 0; k < 3000; k++) x = (x * 1103515245 + 12345) | 0;
  return x;
}
for (let k = 0; k < 20_000; k++) {
  parse();
  arithmetic();
}

const now = () => Number(process.hrtime.bigint()) / 1000;
/** The median µs of `f` run right after the loop slept `gapMs` (0: after a setImmediate, nothing slept). */
async function median(f, gapMs) {
  const xs = [];
  for (let k = 0; k < SAMPLES; k++) {
    await new Promise((r) => (gapMs === 0 ? setImmediate(r) : setTimeout(r, gapMs)));
    const t = now();
    f();
    xs.push(now() - t);
  }
  return xs.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)];
}

console.log(`bench/idle-cold: median of ${SAMPLES} samples each; node ${process.version}`);
console.log('slept before | head parse µs | ÷ 0 ms | arithmetic µs | ÷ 0 ms');
const hot = { parse: await median(parse, 0), arithmetic: await median(arithmetic, 0) };
for (const gap of [0, 1, 5, 20]) {
  const p = gap === 0 ? hot.parse : await median(parse, gap);
  const a = gap === 0 ? hot.arithmetic : await median(arithmetic, gap);
  console.log(`${`${gap} ms`.padStart(12)} | ${p.toFixed(2).padStart(13)} | ${(p / hot.parse).toFixed(1).padStart(6)} | ${a.toFixed(2).padStart(13)} | ${(a / hot.arithmetic).toFixed(2).padStart(6)}`);
}
