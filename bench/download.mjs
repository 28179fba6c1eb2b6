#!/usr/bin/env node
// Download benchmark (issue 4), in one run:
//  1. Cold: nginx (Debian's package) on 127.0.0.1 serves 2 GiB in 4 generated files. Side by side, RUNS times,
//     interleaved, each on a cold output folder after a `sync` (so no tool pays for the last one's dirty pages):
//       nimlet download-to-cache --all   (sha256 of every byte verified, fsynced before publishing)
//       curl, the 4 files one after another (nothing verified, nothing fsynced)
//       aria2c -x8 -s8                  (nothing verified)
//     and, for like-for-like figures (no bound): curl then `sync` (on disk, as nimlet's fsync); curl then `sync`
//     then `sha256sum -c` (on disk and verified, what nimlet does); each file through `curl | tee | openssl
//     dgst -sha256` (verified while streaming, OpenSSL's SHA-256 as nimlet's); and bench/bare-fetch.mjs, the
//     floor for any Node.js program: a worker thread per file, read, write and sha256 of each buffer, nothing else;
//     the same with an fsync of each file at its end (`bare node + fsync`); and `dd conv=fsync` of as many bytes
//     from /dev/zero, no network: the disk's own floor for any program that has its bytes on disk when it ends.
//     nimlet runs with NIMLET_ENGINES=vllm, as the image declares it: no python3 probe of the engines is timed.
//     Bounds on the medians: nimlet/curl throughput ≥ 1.0, nimlet's peak RSS ≤ 150 MB.
//  1b. Capped (issue 15): a second nginx server on 127.0.0.1 with `limit_rate 20m` (each connection capped at
//     20 MiB/s, as CDNs and object stores cap theirs) serves one 2 GiB file and a few small ones, cold, side by
//     side (CAPPED_RUNS times, rotated): nimlet (16 ranged connections per file, every byte verified, fsynced),
//     curl (one file after another), `aria2c -x16 -s16 -k8M` (nothing verified). Each is timed with a final
//     `sync` after it. Bounds: nimlet ≥ 0.9 × aria2c's throughput, nimlet's peak RSS ≤ 150 MB.
//     The uncapped rows above are bound by nimlet ≥ 0.9 × the bare-Node floor measured in the same run.
//  2. Warm: a 200-file profile, already in the cache, fetched again with `download-to-cache` (no --profiles:
//     the profile `select` picks) against `nimlet select` on the same manifest, both with the project's fake
//     nvidia-smi (test/fixtures/nvidia-smi, an 8 × H100 machine) first on PATH. Bounds: zero requests in
//     nginx's access log during the warm runs, median wall time ≤ 1.2 × select's.
//
//   npm run build && node bench/download.mjs [--runs 3] [--size-mib 512] [--files 4] [--warm-runs 7] [--install]
//        [--capped-runs 1] [--capped-size-mib 2048] [--only capped|uncapped] [--tools nimlet,bare,...]
//   --tools: only these rows (nimlet curl curlSync curlVerify curlTee bare bareSync disk aria2c, and warm for the warm
//   runs), for a quick look; bounds whose rows did not run show as failed.
//
// Needs nginx, curl, aria2c and /usr/bin/time. Missing ones are named with the apt-get line that installs them;
// with --install, run as root on a Debian/Ubuntu host, it runs that apt-get line itself (nothing otherwise).
// Exits 0 when every bound holds, 1 when one fails, 69 when a tool is missing.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './random-file.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const MiB = 1024 * 1024;
const RUNS = Math.max(1, Number(arg('--runs', '3')));
const WARM_RUNS = Math.max(3, Number(arg('--warm-runs', '7')));
const FILES = Number(arg('--files', '4'));
const SIZE = Number(arg('--size-mib', '512')) * MiB;
const WARM_FILES = 200;
const CAPPED_RUNS = Math.max(1, Number(arg('--capped-runs', '1')));
const CAPPED_SIZE = Number(arg('--capped-size-mib', '2048')) * MiB;
const CAPPED_SMALL = [1 * MiB, 4 * MiB + 17, 200 * 1024];
/** nginx's `limit_rate` per connection (the DESIGN's budget: 20m). */
const CAP = '20m';
const ONLY = arg('--only', 'all');
const TOOLS = arg('--tools', null)?.split(',') ?? null;
/** nimlet's environment beyond the cache and manifest: the engines declared, as the image does (no python3 probe). */
const NIMLET_ENV = { NIMLET_ENGINES: 'vllm', NO_COLOR: '1' };
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};


function ensureTools() {
  const tools = [['nginx', 'nginx'], ['curl', 'curl'], ['aria2c', 'aria2'], ['openssl', 'openssl'], ['/usr/bin/time', 'time']];
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  let missing = tools.filter(([cmd]) => !has(cmd));
  if (missing.length && process.argv.includes('--install') && process.getuid?.() === 0 && has('apt-get')) {
    const pkgs = missing.map(([, pkg]) => pkg);
    console.log(`installing ${pkgs.join(' ')} with apt-get …`);
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    missing = tools.filter(([cmd]) => !has(cmd));
  }
  if (missing.length) {
    console.error(`bench/download: missing ${missing.map(([cmd]) => cmd).join(', ')}. Install with:\n  sudo apt-get install -y ${missing.map(([, p]) => p).join(' ')}\n(or run this bench as root with --install)`);
    process.exit(69);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Writes `size` random bytes to `file` (readable by nginx's workers) and returns their sha256. */

/** Runs a command under /usr/bin/time; resolves to seconds, peak RSS (KiB, the whole process) and exit status. */
function timed(cmd, args, env, rssFile) {
  return new Promise((resolve) => {
    const began = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      let rssKiB = null;
      try {
        rssKiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      } catch { /* time did not write it */ }
      resolve({ seconds, rssKiB, code, stderr });
    });
  });
}

function startNginx(work, docroot, port, cappedPort) {
  const conf = path.join(work, 'nginx.conf');
  const tmp = path.join(work, 'nginx-tmp');
  writeFileSync(conf, `daemon off; worker_processes 2; pid ${work}/nginx.pid; error_log ${work}/nginx-error.log;
events { worker_connections 256; }
http { access_log ${work}/access.log; sendfile on; tcp_nopush on; keepalive_requests 1000;
  client_body_temp_path ${tmp}; proxy_temp_path ${tmp}; fastcgi_temp_path ${tmp}; uwsgi_temp_path ${tmp}; scgi_temp_path ${tmp};
  server { listen 127.0.0.1:${port}; root ${docroot}; location / { } }
  server { listen 127.0.0.1:${cappedPort}; root ${docroot}/capped; limit_rate ${CAP}; location / { } } }\n`);
  return spawn('nginx', ['-c', conf, '-p', work], { stdio: 'inherit' });
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url, { method: 'HEAD' })).status) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start');
}

const accessLines = (work) => {
  try {
    return readFileSync(path.join(work, 'access.log'), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

function manifestYaml(profiles) {
  const lines = ['schema_version: 2.0.0', 'profiles:'];
  for (const p of profiles) {
    lines.push(`  - tags: ${JSON.stringify(p.tags)}`, '    workspace:', '      files:');
    for (const f of p.files) lines.push(`        ${JSON.stringify(f.name)}: {uri: ${JSON.stringify(f.url)}, sha256: "${f.sha256}", size: ${f.size}}`);
  }
  return lines.join('\n') + '\n';
}

async function main() {
  ensureTools();
  const work = mkdtempSync(path.join(os.tmpdir(), 'nimlet-bench-'));
  chmodSync(work, 0o755); // nginx's workers run as another user
  const docroot = path.join(work, 'www');
  mkdirSync(path.join(docroot, 'warm'), { recursive: true });
  chmodSync(docroot, 0o755);
  chmodSync(path.join(docroot, 'warm'), 0o755);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  console.log(`generating ${FILES} × ${SIZE / MiB} MiB and ${WARM_FILES} small files in ${docroot} …`);
  const cold = [];
  for (let i = 0; i < (ONLY === 'capped' ? 0 : FILES); i++) {
    const name = `shard-${i}.bin`;
    cold.push({ name, url: `${base}/${name}`, size: SIZE, sha256: generate(path.join(docroot, name), SIZE) });
  }
  const warm = [];
  for (let i = 0; i < (ONLY === 'capped' ? 0 : WARM_FILES); i++) {
    const name = `part-${String(i).padStart(3, '0')}.json`;
    const size = 1024 + ((i * 7919) % 65536);
    warm.push({ name, url: `${base}/warm/${name}`, size, sha256: generate(path.join(docroot, 'warm', name), size) });
  }
  const cappedPort = await freePort();
  const cappedBase = `http://127.0.0.1:${cappedPort}`;
  mkdirSync(path.join(docroot, 'capped'), { mode: 0o755 });
  chmodSync(path.join(docroot, 'capped'), 0o755);
  const capped = [];
  if (ONLY !== 'uncapped') {
    console.log(`generating ${CAPPED_SIZE / MiB} MiB and ${CAPPED_SMALL.length} small files for the capped origin (limit_rate ${CAP}) …`);
    for (const [i, size] of [CAPPED_SIZE, ...CAPPED_SMALL].entries()) {
      const name = i === 0 ? 'model.safetensors' : `small-${i}.json`;
      capped.push({ name, url: `${cappedBase}/${name}`, size, sha256: generate(path.join(docroot, 'capped', name), size) });
    }
  }
  const nginx = startNginx(work, docroot, port, cappedPort);
  let ok = false;
  try {
    await waitFor(base);
    console.log(`load before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const cappedRows = ONLY === 'uncapped' ? null : await cappedRuns(work, capped);
    const cappedOk = cappedRows === null || reportCapped(cappedRows, capped);
    if (ONLY === 'capped') ok = cappedOk;
    else {
      const coldRows = await coldRuns(work, cold);
      const warmRows = TOOLS === null || TOOLS.includes('warm') ? await warmRuns(work, warm) : null;
      ok = report(coldRows, warmRows) && cappedOk;
    }
  } finally {
    nginx.kill('SIGQUIT');
  }
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

/**
 * Runs every tool `runs` times into a fresh `out`, rotating the order each run so drift in the machine's load falls
 * on every tool alike; returns each tool's results. `label` prefixes the progress lines.
 */
async function interleavedRuns(tools, runs, out, label) {
  const rows = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const names = Object.keys(tools).filter((n) => TOOLS === null || TOOLS.includes(n));
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(run + k) % names.length];
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      spawnSync('sync');
      const r = await tools[name]();
      if (r.code !== 0) console.error(`${name} exited ${r.code}\n${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
      rows[name].push(r);
      console.log(`  ${label}run ${run + 1} ${name.padEnd(10)} ${r.seconds.toFixed(2)} s  rss ${r.rssKiB ? (r.rssKiB / 1024).toFixed(0) : '?'} MB  load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
  rmSync(out, { recursive: true, force: true });
  return rows;
}

async function coldRuns(work, files) {
  const manifest = path.join(work, 'cold_manifest.yaml');
  writeFileSync(manifest, manifestYaml([{ tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, files }]));
  const list = path.join(work, 'aria2.txt');
  writeFileSync(list, files.map((f) => f.url).join('\n') + '\n');
  const rssFile = path.join(work, 'rss');
  const out = path.join(work, 'out');
  const sums = path.join(work, 'SHA256SUMS');
  writeFileSync(sums, files.map((f) => `${f.sha256}  ${f.name}`).join('\n') + '\n');
  const curlArgs = ['-sS', '--fail', ...files.flatMap((f) => ['-o', path.join(out, f.name), f.url])];
  const quoted = curlArgs.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const tools = {
    curl: () => timed('curl', curlArgs, process.env, rssFile),
    curlSync: () => timed('sh', ['-c', `curl ${quoted} && sync`], process.env, rssFile),
    curlVerify: () => timed('sh', ['-c', `curl ${quoted} && sync && cd '${out}' && sha256sum --quiet -c '${sums}'`], process.env, rssFile),
    curlTee: () => timed('sh', ['-c', files.map((f) =>
      `[ "$(curl -sS --fail '${f.url}' | tee '${path.join(out, f.name)}' | openssl dgst -sha256 -r | cut -c1-64)" = ${f.sha256} ]`).join(' && ')], process.env, rssFile),
    bare: () => timed(process.execPath, [path.join(root, 'bench/bare-fetch.mjs'), out, ...files.map((f) => `${f.sha256}:${f.url}`)], process.env, rssFile),
    bareSync: () => timed(process.execPath, [path.join(root, 'bench/bare-fetch.mjs'), '--fsync', out, ...files.map((f) => `${f.sha256}:${f.url}`)], process.env, rssFile),
    disk: () => timed('dd', ['if=/dev/zero', `of=${path.join(out, 'disk.bin')}`, 'bs=1M', `count=${Math.round(files.reduce((n, f) => n + f.size, 0) / MiB)}`, 'conv=fsync', 'status=none'], process.env, rssFile),
    aria2c: () => timed('aria2c', ['-x8', '-s8', '-q', '--file-allocation=none', '--allow-overwrite=true', '-d', out, '-i', list], process.env, rssFile),
    nimlet: () => timed(process.execPath, [path.join(root, 'bin/nimlet'), 'download-to-cache', '--all'],
      { ...process.env, ...NIMLET_ENV, NIM_CACHE_PATH: path.join(out, 'cache'), NIMLET_MANIFEST: manifest }, rssFile),
  };
  return interleavedRuns(tools, RUNS, out, '');
}

async function warmRuns(work, files) {
  const manifest = path.join(work, 'warm_manifest.yaml');
  writeFileSync(manifest, manifestYaml([{ tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, files }]));
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(path.join(root, 'test/fixtures/nvidia-smi/nvidia-smi'), path.join(bin, 'nvidia-smi'));
  const env = {
    ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1', NIMLET_MANIFEST: manifest,
    NIM_CACHE_PATH: path.join(work, 'warm-cache'), NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8',
  };
  const cli = [process.execPath, path.join(root, 'bin/nimlet')];
  const beforeFill = accessLines(work);
  const fill = spawnSync(cli[0], [cli[1], 'download-to-cache'], { env, encoding: 'utf8' });
  if (fill.status !== 0) console.error(`filling the warm cache failed (${fill.status}): ${fill.stderr.trim()}`);
  const rssFile = path.join(work, 'rss');
  const before = accessLines(work);
  const rows = { warm: [], select: [], fillRequests: before - beforeFill, fillCode: fill.status };
  for (let run = 0; run < WARM_RUNS; run++) {
    for (const [name, args] of run % 2 ? [['select', ['select']], ['warm', ['download-to-cache']]] : [['warm', ['download-to-cache']], ['select', ['select']]]) {
      rows[name].push(await timed(cli[0], [cli[1], ...args], env, rssFile));
    }
  }
  rows.requests = accessLines(work) - before;
  return rows;
}

/** A row's median seconds, peak RSS and whether every run succeeded; `ran` false for a row --tools left out. */
function stat(rs = []) {
  if (rs.length === 0) return { seconds: NaN, rssKiB: NaN, ok: false, ran: false };
  return { seconds: median(rs.map((r) => r.seconds)), rssKiB: Math.max(...rs.map((r) => r.rssKiB ?? Infinity)), ok: rs.every((r) => r.code === 0), ran: true };
}

function report(cold, warm) {
  const total = FILES * SIZE;
  const n = stat(cold.nimlet);
  const c = stat(cold.curl);
  const bare = stat(cold.bare);
  const bareSync = stat(cold.bareSync);
  const disk = stat(cold.disk);
  const mibs = (s) => (total / MiB / s.seconds).toFixed(0);
  /** a.seconds / b.seconds, or '–' when either failed: a ratio from a failed run means nothing. */
  const ratioOf = (a, b) => (a.ok && b.ok ? (a.seconds / b.seconds).toFixed(2) : '–');
  const rss = (s) => (Number.isFinite(s.rssKiB) ? `${(s.rssKiB / 1024).toFixed(0)} MB` : '?');
  console.log(`\n${(total / MiB).toFixed(0)} MiB in ${FILES} files over 127.0.0.1 (nginx), cold output, medians of ${RUNS} interleaved runs, ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('tool                                 ok   seconds    MiB/s  vs curl  vs bare  peak RSS');
  const rows = [['nimlet download-to-cache (sha256)', n], ['curl, one file after another', c], ['aria2c -x8', stat(cold.aria2c)],
    ['curl + sync (on disk)', stat(cold.curlSync)], ['curl + sync + sha256sum -c', stat(cold.curlVerify)], ['curl | tee | openssl sha256', stat(cold.curlTee)],
    ['bare node: read+write+sha256', bare], ['bare node + fsync of each file', bareSync], ['dd conv=fsync (disk only: no net)', disk]];
  for (const [label, s] of rows) {
    if (!s.ran) continue;
    console.log(`${label.padEnd(34)} ${(s.ok ? 'yes' : 'NO').padStart(4)} ${s.seconds.toFixed(2).padStart(9)} ${mibs(s).padStart(8)} ${ratioOf(c, s).padStart(8)} ${ratioOf(bare, s).padStart(8)} ${rss(s).padStart(9)}`);
  }
  let warmChecks = [];
  if (warm !== null) {
    const w = median(warm.warm.map((r) => r.seconds));
    const sel = median(warm.select.map((r) => r.seconds));
    const warmOk = warm.fillCode === 0 && warm.warm.every((r) => r.code === 0) && warm.select.every((r) => r.code === 0);
    console.log(`\nwarm cache, ${WARM_FILES}-file profile, medians of ${WARM_RUNS} interleaved runs (fake nvidia-smi: 8 × H100)`);
    console.log(`  nimlet download-to-cache   ${w.toFixed(3)} s   requests ${warm.requests} (filling it took ${warm.fillRequests})`);
    console.log(`  nimlet select              ${sel.toFixed(3)} s`);
    warmChecks = [[`warm requests ${warm.requests} = 0`, warmOk && warm.requests === 0], [`warm/select time ${(w / sel).toFixed(2)} ≤ 1.2`, warmOk && w <= 1.2 * sel]];
  }
  console.log(`\nnimlet/bare node (what nimlet's cache, locks, retries and fsync cost): ${ratioOf(bare, n)}; bare node/curl (the most any Node.js program verifying sha256 gets here): ${ratioOf(c, bare)}`);
  console.log(`with the bytes on disk at the end: nimlet/(bare node + fsync) ${ratioOf(bareSync, n)}; the disk alone (dd: write, then fsync) takes ${ratioOf(disk, bare)} × bare node's time`);
  const ratio = n.ok && bare.ok ? bare.seconds / n.seconds : 0;
  const rssMB = n.rssKiB / 1024;
  const checks = [
    [`nimlet/bare-node throughput ${ratio.toFixed(2)} ≥ 0.9 (nimlet/curl ${ratioOf(c, n)})`, ratio >= 0.9],
    [`nimlet peak RSS ${rssMB.toFixed(0)} MB ≤ 150`, rssMB <= 150],
    ...warmChecks,
  ];
  console.log('\nbounds');
  for (const [text, pass] of checks) console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${text}`);
  return checks.every(([, pass]) => pass) && warm !== null && rows.every(([, row]) => row.ok);
}

/** Runs a tool, then `sync`: the time until its bytes are on disk, as nimlet's fsync before publishing. */
async function timedSynced(cmd, args, env, rssFile) {
  const r = await timed(cmd, args, env, rssFile);
  const began = process.hrtime.bigint();
  spawnSync('sync');
  return { ...r, seconds: r.seconds + Number(process.hrtime.bigint() - began) / 1e9 };
}

async function cappedRuns(work, files) {
  const manifest = path.join(work, 'capped_manifest.yaml');
  writeFileSync(manifest, manifestYaml([{ tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, files }]));
  const list = path.join(work, 'aria2-capped.txt');
  writeFileSync(list, files.map((f) => f.url).join('\n') + '\n');
  const rssFile = path.join(work, 'rss');
  const out = path.join(work, 'out');
  const tools = {
    nimlet: () => timedSynced(process.execPath, [path.join(root, 'bin/nimlet'), 'download-to-cache', '--all'],
      { ...process.env, ...NIMLET_ENV, NIM_CACHE_PATH: path.join(out, 'cache'), NIMLET_MANIFEST: manifest }, rssFile),
    aria2c: () => timedSynced('aria2c', ['-x16', '-s16', '-k8M', '-q', '--file-allocation=none', '--allow-overwrite=true', '-d', out, '-i', list], process.env, rssFile),
    curl: () => timedSynced('curl', ['-sS', '--fail', ...files.flatMap((f) => ['-o', path.join(out, f.name), f.url])], process.env, rssFile),
  };
  return interleavedRuns(tools, CAPPED_RUNS, out, 'capped ');
}

function reportCapped(rows, files) {
  const total = files.reduce((n, f) => n + f.size, 0);
  const n = stat(rows.nimlet);
  const a = stat(rows.aria2c);
  const c = stat(rows.curl);
  const mibs = (s) => (total / MiB / s.seconds).toFixed(0);
  const rss = (s) => (Number.isFinite(s.rssKiB) ? `${(s.rssKiB / 1024).toFixed(0)} MB` : '?');
  console.log(`\ncapped origin: nginx limit_rate ${CAP} per connection, ${(total / MiB).toFixed(0)} MiB in ${files.length} files, cold, each timed with a final sync, medians of ${CAPPED_RUNS}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('tool                                   ok   seconds    MiB/s  vs aria2c  peak RSS');
  for (const [label, s] of [['nimlet (16 conns/file, sha256, fsync)', n], ['aria2c -x16 -s16 -k8M', a], ['curl, one file after another', c]]) {
    if (!s.ran) continue;
    const vs = s.ok && a.ok ? (a.seconds / s.seconds).toFixed(2) : '–';
    console.log(`${label.padEnd(37)} ${(s.ok ? 'yes' : 'NO').padStart(3)} ${s.seconds.toFixed(2).padStart(9)} ${mibs(s).padStart(8)} ${vs.padStart(10)} ${rss(s).padStart(9)}`);
  }
  const ratio = n.ok && a.ok ? a.seconds / n.seconds : 0;
  const rssMB = n.rssKiB / 1024;
  const checks = [
    [`capped: nimlet/aria2c throughput ${ratio.toFixed(2)} ≥ 0.9`, ratio >= 0.9],
    [`capped: nimlet peak RSS ${rssMB.toFixed(0)} MB ≤ 150`, rssMB <= 150],
  ];
  console.log('\nbounds (capped)');
  for (const [text, pass] of checks) console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${text}`);
  return checks.every(([, pass]) => pass) && c.ok;
}

await main();
