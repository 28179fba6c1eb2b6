#!/usr/bin/env node
// CPU cost of nimlet's download path, two builds side by side (issue 12: "the bulk path must not get slower").
// Wall time on a shared 2-core machine moves with the neighbours' load; the CPU seconds nimlet itself spends
// (user + sys, from /usr/bin/time) move far less, so two builds can be compared on a busy machine. nginx on
// 127.0.0.1 serves FILES × SIZE_MIB (the bulk path: ranged connections) and 200 small files (one request each:
// the small-file path); each build fills a fresh cache from it RUNS times, the builds interleaved.
//
//   (cd A && npm run build) && (cd B && npm run build)
//   flock /tmp/nimlet-bench.lock node bench/fetch-cpu.mjs --a /path/to/main-checkout --b . [--runs 4] [--files 4] [--size-mib 512]
//
// Prints, per build and workload, the medians of CPU seconds, wall seconds and peak RSS, and the ratio b/a of CPU.
// Needs nginx and /usr/bin/time.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from './random-file.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const MiB = 1024 * 1024;
const builds = { a: path.resolve(arg('--a', '.')), b: path.resolve(arg('--b', '.')) };
const RUNS = Number(arg('--runs', '4'));
const FILES = Number(arg('--files', '4'));
const SIZE = Number(arg('--size-mib', '512')) * MiB;
const SMALL = 200;
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};


const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

function manifest(files) {
  return ['schema_version: 2.0.0', 'profiles:', '  - tags: {llm_engine: vllm, precision: bf16, tp: "1"}', '    workspace:', '      files:',
    ...files.map((f) => `        ${JSON.stringify(f.name)}: {uri: ${JSON.stringify(f.url)}, sha256: "${f.sha256}", size: ${f.size}}`)].join('\n') + '\n';
}

/** One cold fill by one build: CPU seconds (user + sys), wall seconds, peak RSS in MB. */
function fill(build, work, manifestFile) {
  const cache = mkdtempSync(path.join(work, 'cache-'));
  const out = path.join(work, 'time.txt');
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: work, NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifestFile, XDG_CACHE_HOME: path.join(work, 'xdg') };
    const child = spawn('/usr/bin/time', ['-f', '%U %S %e %M', '-o', out, process.execPath, path.join(build, 'bin/nimlet'), 'download-to-cache', '--all'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      rmSync(cache, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${build}: exit ${code}\n${stderr}`));
      const [user, sys, wall, rss] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      resolve({ cpu: user + sys, wall, rss: rss / 1024 });
    });
  });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'nimlet-fetch-cpu-'));
chmodSync(work, 0o755);
const www = path.join(work, 'www');
mkdirSync(path.join(www, 'small'), { recursive: true, mode: 0o755 });
chmodSync(www, 0o755);
chmodSync(path.join(www, 'small'), 0o755);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
console.log(`generating ${FILES} × ${SIZE / MiB} MiB and ${SMALL} small files …`);
const bulk = Array.from({ length: FILES }, (_, i) => ({ name: `shard-${i}.bin`, url: `${base}/shard-${i}.bin`, size: SIZE, sha256: generate(path.join(www, `shard-${i}.bin`), SIZE) }));
const small = Array.from({ length: SMALL }, (_, i) => {
  const size = 1024 + ((i * 7919) % 65536);
  return { name: `part-${i}.json`, url: `${base}/small/part-${i}.json`, size, sha256: generate(path.join(www, 'small', `part-${i}.json`), size) };
});
const manifests = { bulk: path.join(work, 'bulk.yaml'), small: path.join(work, 'small.yaml') };
writeFileSync(manifests.bulk, manifest(bulk));
writeFileSync(manifests.small, manifest(small));
writeFileSync(path.join(work, 'nginx.conf'), `daemon off; worker_processes 2; pid ${work}/nginx.pid; error_log ${work}/nginx-error.log;
events { worker_connections 256; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000; client_body_temp_path ${work}/t; proxy_temp_path ${work}/t;
  fastcgi_temp_path ${work}/t; uwsgi_temp_path ${work}/t; scgi_temp_path ${work}/t;
  server { listen 127.0.0.1:${port}; root ${www}; location / { } } }\n`);
const nginx = spawn('nginx', ['-c', path.join(work, 'nginx.conf'), '-p', work], { stdio: 'inherit' });
try {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/small/part-0.json`, { method: 'HEAD' })).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = { a: { bulk: [], small: [] }, b: { bulk: [], small: [] } };
  for (let run = 1; run <= RUNS; run++) {
    for (const load of ['bulk', 'small']) {
      for (const which of run % 2 ? ['a', 'b'] : ['b', 'a']) {
        const r = await fill(builds[which], work, manifests[load]);
        rows[which][load].push(r);
        console.log(`  run ${run} ${which} ${load.padEnd(5)} cpu ${r.cpu.toFixed(2)} s  wall ${r.wall.toFixed(2)} s  rss ${r.rss.toFixed(0)} MB  load ${os.loadavg()[0].toFixed(2)}`);
      }
    }
  }
  console.log(`\nmedians of ${RUNS} interleaved cold fills; a = ${builds.a}, b = ${builds.b}`);
  for (const load of ['bulk', 'small']) {
    const what = load === 'bulk' ? `${FILES} × ${SIZE / MiB} MiB (ranged connections)` : `${SMALL} small files (one request each)`;
    const m = (which, k) => median(rows[which][load].map((r) => r[k]));
    console.log(`  ${what}`);
    for (const which of ['a', 'b']) console.log(`    ${which}: cpu ${m(which, 'cpu').toFixed(2)} s  wall ${m(which, 'wall').toFixed(2)} s  peak RSS ${m(which, 'rss').toFixed(0)} MB`);
    console.log(`    cpu b/a ${(m('b', 'cpu') / m('a', 'cpu')).toFixed(3)}  (below 1: b spends less CPU)`);
  }
} finally {
  nginx.kill('SIGQUIT');
  rmSync(work, { recursive: true, force: true });
}
