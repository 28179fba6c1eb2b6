#!/usr/bin/env node
// Does the js-yaml fast path (src/manifest/fast-read.ts) earn its place beside the compiled copy
// (src/manifest/compiled.ts)? Each figure is one fresh `node` process that imports dist/manifest/load.js (or
// compiled.js) and reads one manifest, timed from before the import to the Manifest in hand: what a start pays.
//   fast      parseManifestText: js-yaml + a line scan when the manifest is clean, else yaml 2
//   exact     parseManifestTextExact: yaml 2's document model only (what remains without the fast path)
//   copy-miss loadManifestCompiled, no copy yet: parse (fast path included) and write the copy (a first start)
//   copy-hit  loadManifestCompiled, the copy written: no YAML at all (every restart)
// Manifests: the real NIM layouts under ../shared/nim (read in place, never copied) and a generated 2,000-profile
// NIM 1.x one (the DESIGN's bound). Median over RUNS runs, rows interleaved so machine drift hits each alike.
// Usage: npm run build && node bench/manifest-read.mjs [--runs N] [--nim DIR] [--dist DIR]
//   --dist: the built tree to measure (default ./dist), e.g. a copy of one built before the fast path was removed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const RUNS = Number(arg('--runs', '9'));
const NIM = path.resolve(arg('--nim', path.join(root, '../shared/nim')));
const DIST = path.resolve(arg('--dist', path.join(root, 'dist')));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-read-bench-'));

/** A NIM 1.x manifest with `n` profiles (the shape bench/startup.mjs uses). */
function generated(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = createHash('sha256').update(`bench-${i}`).digest('hex');
    out.push(`${id}:`, '  model: example/bench-model', "  release: '1.0.0'", '  tags:', "    llm_engine: 'vllm'", `    precision: '${['fp8', 'bf16'][i % 2]}'`, `    tp: '${[1, 2, 4, 8][i % 4]}'`, `    variant: '${i}'`);
    out.push('  workspace: !workspace', '    components:', "    - dst: ''", '      src:', '        files:');
    for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) out.push(`        - !name '${f}'`);
    out.push(`        repo_id: ngc://example/bench-model:1.0.0-${i}`);
  }
  const file = path.join(tmp, 'generated-2000.yaml');
  fs.writeFileSync(file, out.join('\n') + '\n');
  return file;
}

const CHILD = `
const [mode, file, priv] = process.argv.slice(1);
const t0 = performance.now();
if (mode === 'fast' || mode === 'exact') {
  const m = await import(${JSON.stringify(path.join(DIST, 'manifest/load.js'))});
  const text = (await import('node:fs')).readFileSync(file, 'utf8');
  // a build without the fast path has parseManifestText alone, and it is the exact path: no 'fast' row there
  if (mode === 'fast' && !m.parseManifestTextExact) { console.log(JSON.stringify({ ms: null, profiles: null })); process.exit(0); }
  const r = mode === 'fast' ? m.parseManifestText(text, file) : (m.parseManifestTextExact ?? m.parseManifestText)(text, file);
  console.log(JSON.stringify({ ms: performance.now() - t0, profiles: r.profiles.length }));
} else {
  const m = await import(${JSON.stringify(path.join(DIST, 'manifest/compiled.js'))});
  const r = await m.loadManifestCompiled(file, priv);
  console.log(JSON.stringify({ ms: performance.now() - t0, profiles: r.profiles.length }));
}`;

function once(mode, file, priv) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, mode, file, priv], { encoding: 'utf8' });
  // a fragment that is no whole manifest is refused (exit 65) by every path alike: shown as such, not timed
  if (r.status !== 0) return { ms: NaN, profiles: null, error: r.stderr.includes('manifest-invalid') ? 'invalid' : r.stderr.slice(0, 120) };
  return JSON.parse(r.stdout);
}

const files = [...fs.readdirSync(NIM).filter((f) => f.endsWith('.yaml')).map((f) => path.join(NIM, f)), generated(2000)];
const MODES = ['fast', 'exact', 'copy-miss', 'copy-hit'];
const times = new Map(files.map((f) => [f, Object.fromEntries(MODES.map((m) => [m, []]))]));
const counts = new Map();
for (let run = 0; run < RUNS; run++) {
  for (const file of files) {
    for (const mode of MODES) {
      // a fresh private folder per miss; the hit reads the one the miss just wrote
      const priv = path.join(tmp, `private-${run}-${path.basename(file)}`);
      if (mode === 'copy-miss') fs.rmSync(priv, { recursive: true, force: true });
      if (mode.startsWith('copy')) fs.mkdirSync(priv, { recursive: true, mode: 0o700 });
      const r = once(mode, file, priv);
      if (r.ms === null) continue; // not in this build
      times.get(file)[mode].push(r.ms);
      if (r.profiles !== null) counts.set(file, r.profiles);
      else counts.set(file, `error: ${r.error}`);
    }
  }
}
const median = (xs) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
console.log(`bench/manifest-read (${DIST}): median ms over ${RUNS} fresh processes each (node ${process.version}, ${os.cpus().length} cores); node -e 0 not subtracted`);
console.log(['manifest'.padEnd(52), 'profiles', ...MODES.map((m) => m.padStart(9)), '  fast/exact'].join(' '));
for (const file of files) {
  const t = times.get(file);
  const row = MODES.map((m) => (t[m].length === 0 ? '—' : median(t[m]).toFixed(1)).padStart(9));
  console.log([path.basename(file).padEnd(52), String(counts.get(file)).padStart(8), ...row, `  ${(median(t.fast) / median(t.exact)).toFixed(2)}`].join(' '));
}
fs.rmSync(tmp, { recursive: true, force: true });
