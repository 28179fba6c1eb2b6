#!/usr/bin/env node
// What the front pays per request to read HTTP heads (src/front/request-head.ts, response-head.ts): the time to
// parse a client's request head and an engine's response head, against llhttp, the C parser node:http uses (what a
// Node proxy gets without parsing heads itself), in one run. Each figure is the best of ROUNDS rounds of N parses,
// in ns per head; each round runs every parser in turn, so a drift in the machine's speed hits each alike.
// --compare DIR adds the parsers of another built checkout (say main's), for before/after figures.
// Usage: node bench/front-heads.mjs [--rounds 15] [--n 100000] [--compare DIR]   (build first: npm run build)
import { createRequire } from 'node:module';
import path from 'node:path';

const opt = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(opt('--rounds', '15'));
const N = Number(opt('--n', '100000'));
const root = path.resolve(import.meta.dirname, '..');
const compare = opt('--compare', null);

// llhttp through node:http's own binding (node:_http_common): one parser per kind, re-used as node:http re-uses them
const { HTTPParser } = createRequire(import.meta.url)('_http_common');
function llhttp(kind) {
  const parser = new HTTPParser();
  parser.initialize(kind, {});
  let fields = null;
  parser[HTTPParser.kOnHeadersComplete] = (_major, _minor, headers) => void (fields = headers);
  return (buf) => {
    fields = null;
    parser.execute(buf);
    if (fields === null) throw new Error('llhttp did not finish the head');
    return fields;
  };
}

const heads = {
  'bench client request (5 fields)': 'POST /v1/chat/completions HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: 13\r\nHost: 127.0.0.1:40000\r\nConnection: keep-alive\r\n\r\n',
  'OpenAI SDK request (16 fields)': 'POST /v1/chat/completions HTTP/1.1\r\nHost: nim.example.com\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nAccept: application/json\r\nContent-Type: application/json\r\nUser-Agent: OpenAI/Python 1.51.0\r\nX-Stainless-Lang: python\r\nX-Stainless-Package-Version: 1.51.0\r\nX-Stainless-OS: Linux\r\nX-Stainless-Arch: x64\r\nX-Stainless-Runtime: CPython\r\nX-Stainless-Runtime-Version: 3.11.9\r\nAuthorization: Bearer sk-abcdefghijklmnopqrstuvwxyz\r\nX-Stainless-Async: false\r\nx-stainless-retry-count: 0\r\nContent-Length: 13\r\n\r\n',
  'uvicorn SSE answer (6 fields)': 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nDate: Sun, 06 Dec 2026 15:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n',
};
// what follows each head, so that llhttp ends the message and is ready for the next (nimlet's parsers stop at the head)
const rest = { request: '{"model":"x"}', response: '0\r\n\r\n' };

async function nimletParsers(dir) {
  const rq = await import(path.join(dir, 'dist/front/request-head.js'));
  const rs = await import(path.join(dir, 'dist/front/response-head.js'));
  return {
    request: (buf) => rq.parseRequestHead(buf, 16384, 0),
    // the relay reads the framing and reuse of every answer as well
    response: (buf) => {
      const h = rs.parseResponseHead(buf, 65536);
      return rs.reusable(h, rs.bodyFraming('POST', h));
    },
  };
}

const rows = [['nimlet', await nimletParsers(root)]];
if (compare !== null) rows.push([`nimlet ${path.basename(compare)}`, await nimletParsers(path.resolve(compare))]);
rows.push(['llhttp (node:http)', { request: llhttp(HTTPParser.REQUEST), response: llhttp(HTTPParser.RESPONSE) }]);

const best = new Map();
for (let r = 0; r < ROUNDS; r++) {
  for (const [label, text] of Object.entries(heads)) {
    const kind = text.startsWith('HTTP/') ? 'response' : 'request';
    const buf = Buffer.from(text + rest[kind], 'latin1');
    for (const [name, parsers] of rows) {
      const parse = parsers[kind];
      const t = process.hrtime.bigint();
      for (let i = 0; i < N; i++) parse(buf);
      const ns = Number(process.hrtime.bigint() - t) / N;
      const key = `${label}\t${name}`;
      best.set(key, Math.min(best.get(key) ?? Infinity, ns));
    }
  }
}

console.log(`bench/front-heads: ns per head, best of ${ROUNDS} rounds of ${N}; node ${process.version}`);
console.log(`head | ${rows.map(([n]) => n).join(' | ')} | nimlet ÷ llhttp`);
for (const label of Object.keys(heads)) {
  const ns = rows.map(([name]) => best.get(`${label}\t${name}`));
  console.log(`${label} | ${ns.map((x) => x.toFixed(0)).join(' | ')} | ${(ns[0] / ns.at(-1)).toFixed(2)}`);
}
