#!/usr/bin/env node
// Download benchmark (issue 4): nginx on 127.0.0.1 serves 2 GiB in 4 generated files; in one run, nimlet
// (sha256-verified, cold cache) against curl fetching the files one after another and aria2c -x8.
// Prints throughput, the ratio nimlet/curl (target ≥ 1.0) and nimlet's peak RSS (target ≤ 150 MB).
//
//   npm run build && node bench/download.mjs [--size-mib 512] [--files 4] [--direct] [--keep]
//
// Needs nginx, curl and aria2c (Debian: apt-get install -y nginx curl aria2) and /usr/bin/time (apt-get
// install -y time). It installs nothing itself. nimlet runs as the real CLI (`download-to-cache --all` on a
// generated manifest); --direct (or a CLI that fails) uses the built fetchFile instead, 4 files at a time.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, openSync, writeSync, closeSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const MiB = 1024 * 1024;
/** Where /usr/bin/time writes the peak RSS; set inside the run's folder by main(). */
let rssFile = path.join(os.tmpdir(), `nimlet-bench-rss-${process.pid}`);

if (process.argv[2] === '--worker') await worker(JSON.parse(process.argv[3]));
else await main();

/** The --direct path, run as a child so its peak RSS is its own: fetchFile on every file, 4 at a time. */
async function worker({ files, outDir }) {
  const { fetchFile } = await import(path.join(root, 'dist/cache/fetch/fetch-file.js'));
  const { readSettings } = await import(path.join(root, 'dist/config/env.js'));
  const settings = readSettings({ ...process.env, NIM_CACHE_PATH: outDir });
  const queue = [...files];
  const one = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await fetchFile({
        source: { kind: 'http', url: f.url }, partialPath: path.join(outDir, f.name), expectedSha256: f.sha256,
        expectedSize: f.size, label: f.name, settings, signal: new AbortController().signal,
      });
      if (r.sha256 !== f.sha256) throw new Error(`${f.name}: sha256 differs`);
    }
  };
  await Promise.all([one(), one(), one(), one()]);
}

function need(cmd, pkg) {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    console.error(`bench/download: ${cmd} not found; install it first: apt-get install -y ${pkg}`);
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

/** Writes `size` random bytes to `file` and returns their sha256. */
function generate(file, size) {
  const fd = openSync(file, 'w');
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(16 * MiB);
  for (let left = size; left > 0; left -= buf.length) {
    const chunk = left >= buf.length ? buf : buf.subarray(0, left);
    randomFillSync(chunk);
    h.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return h.digest('hex');
}

/** Runs a command under /usr/bin/time; resolves to seconds, peak RSS (KiB) and the exit status. */
function timed(cmd, args, env = process.env) {
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

async function main() {
  for (const [cmd, pkg] of [['nginx', 'nginx'], ['curl', 'curl'], ['aria2c', 'aria2']]) need(cmd, pkg);
  if (spawnSync('test', ['-x', '/usr/bin/time']).status !== 0) need('/usr/bin/time', 'time');
  const count = Number(arg('--files', '4'));
  const size = Number(arg('--size-mib', '512')) * MiB;
  const work = mkdtempSync(path.join(os.tmpdir(), 'nimlet-bench-'));
  chmodSync(work, 0o755); // nginx workers run as another user
  rssFile = path.join(work, 'rss');
  const docroot = path.join(work, 'www');
  mkdirSync(docroot);
  chmodSync(docroot, 0o755);
  console.log(`generating ${count} × ${size / MiB} MiB in ${docroot} …`);
  const files = [];
  for (let i = 0; i < count; i++) {
    const name = `shard-${i}.bin`;
    const sha256 = generate(path.join(docroot, name), size);
    chmodSync(path.join(docroot, name), 0o644);
    files.push({ name, size, sha256 });
  }
  const port = await freePort();
  const conf = path.join(work, 'nginx.conf');
  writeFileSync(conf, `daemon off; worker_processes 2; pid ${work}/nginx.pid; error_log ${work}/nginx-error.log;
events { worker_connections 256; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000;
  client_body_temp_path ${work}/tmp; proxy_temp_path ${work}/tmp; fastcgi_temp_path ${work}/tmp; uwsgi_temp_path ${work}/tmp; scgi_temp_path ${work}/tmp;
  server { listen 127.0.0.1:${port}; root ${docroot}; location / { } } }\n`);
  const nginx = spawn('nginx', ['-c', conf, '-p', work], { stdio: 'inherit' });
  const base = `http://127.0.0.1:${port}`;
  for (const f of files) f.url = `${base}/${f.name}`;
  await waitFor(base);
  const total = count * size;
  const results = [];
  try {
    const out = (tag) => {
      const d = path.join(work, `out-${tag}`);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d);
      return d;
    };
    // curl: the files one after another, as a plain script would.
    const curlDir = out('curl');
    const curlArgs = files.flatMap((f) => ['-o', path.join(curlDir, f.name), f.url]);
    results.push({ tool: 'curl (sequential)', ...(await timed('curl', ['-sS', '--fail', ...curlArgs])) });
    const ariaDir = out('aria2c');
    const list = path.join(work, 'aria2.txt');
    writeFileSync(list, files.map((f) => f.url).join('\n') + '\n');
    results.push({ tool: 'aria2c -x8', ...(await timed('aria2c', ['-x8', '-s8', '-q', '--file-allocation=none', '--allow-overwrite=true', '-d', ariaDir, '-i', list])) });
    results.push(await runNimlet(files, work, out));
  } finally {
    nginx.kill('SIGQUIT');
  }
  report(results, total);
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}

async function runNimlet(files, work, out) {
  const cacheDir = out('nimlet');
  if (!process.argv.includes('--direct')) {
    const manifest = path.join(work, 'model_manifest.yaml');
    const entries = files.map((f) => `        ${f.name}: {uri: "${f.url}", sha256: "${f.sha256}", size: ${f.size}}`).join('\n');
    writeFileSync(manifest, `schema_version: 2.0.0\nprofile_selection_criteria: default\nprofiles:\n  - tags: {llm_engine: vllm, precision: bf16, tp: "1"}\n    workspace:\n      files:\n${entries}\n`);
    const env = { ...process.env, NIM_CACHE_PATH: cacheDir, NIMLET_MANIFEST: manifest, NO_COLOR: '1' };
    const r = await timed(process.execPath, [path.join(root, 'bin/nimlet'), 'download-to-cache', '--all'], env);
    if (r.code === 0) return { tool: 'nimlet download-to-cache', ...r };
    console.error(`nimlet download-to-cache exited ${r.code}; falling back to fetchFile directly\n${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
    rmSync(cacheDir, { recursive: true, force: true });
    mkdirSync(cacheDir);
  }
  const payload = JSON.stringify({ files, outDir: cacheDir });
  return { tool: 'nimlet fetchFile ×4', ...(await timed(process.execPath, [fileURLToPath(import.meta.url), '--worker', payload])) };
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(url, { method: 'HEAD' });
      if (r.status) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start');
}

function report(results, total) {
  const rate = (r) => total / MiB / r.seconds;
  console.log(`\n${(total / MiB).toFixed(0)} MiB over 127.0.0.1 (nginx), cold output folders, page-cached source files\n`);
  console.log('tool                       status   seconds      MiB/s   peak RSS');
  for (const r of results) {
    const rss = r.rssKiB ? `${(r.rssKiB / 1024).toFixed(0)} MB` : '?';
    console.log(`${r.tool.padEnd(26)} ${String(r.code).padStart(6)} ${r.seconds.toFixed(2).padStart(9)} ${rate(r).toFixed(0).padStart(10)} ${rss.padStart(10)}`);
  }
  const curl = results[0];
  const aria = results[1];
  const nim = results[2];
  const ratio = curl.seconds / nim.seconds;
  const rssMB = nim.rssKiB ? nim.rssKiB / 1024 : Infinity;
  console.log(`\nnimlet/curl throughput: ${ratio.toFixed(2)} (target ≥ 1.0) ${ratio >= 1 ? 'ok' : 'BELOW TARGET'}`);
  console.log(`nimlet/aria2c throughput: ${(aria.seconds / nim.seconds).toFixed(2)}`);
  console.log(`nimlet peak RSS: ${rssMB.toFixed(0)} MB (target ≤ 150) ${rssMB <= 150 ? 'ok' : 'ABOVE TARGET'}`);
  process.exitCode = results.every((r) => r.code === 0) && ratio >= 1 && rssMB <= 150 ? 0 : 1;
}
