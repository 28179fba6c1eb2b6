#!/usr/bin/env node
// Start-up cost of nimlet's fast commands against the floor they cannot beat: `node -e 0` plus the one
// nvidia-smi call the probe makes. In one run, side by side, median wall time over RUNS runs (interleaved so
// drift hits every row alike):
//   (a) nimlet gpus --json                                   bound: ≤ 2.0 × baseline
//   (b) nimlet list-model-profiles --json, 2,000 profiles    bound: ≤ 3.0 × baseline (a restart: the cache holds
//       the private folder holds the compiled manifest); the first start (parses YAML) is printed beside it, unbounded
// The nvidia-smi is the project's own fake (test/fixtures/nvidia-smi) answering as an 8 × H100 machine.
// Usage: node bench/startup.mjs [--runs N]   (build first: npm run build). Exits 1 when a bound is exceeded.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
if (!Number.isInteger(RUNS) || RUNS < 10) {
  console.error('bench/startup: --runs takes a whole number ≥ 10');
  process.exit(64);
}
const PROFILES = 2000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-bench-'));
const bin = path.join(tmp, 'bin');
fs.mkdirSync(bin);
const fake = path.join(root, 'test/fixtures/nvidia-smi/nvidia-smi');
fs.symlinkSync(fake, path.join(bin, 'nvidia-smi'));
// The caller's NIM_*/NIMLET_* settings and GPU visibility first removed, then the bench's own added.
const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NIM_|NIMLET_|CUDA_VISIBLE_DEVICES|NVIDIA_VISIBLE_DEVICES)/.test(k)));
const env = {
  ...inherited,
  PATH: `${bin}${path.delimiter}${process.env.PATH}`,
  NIMLET_FAKE_NVSMI_MACHINE: path.join(root, 'test/fixtures/nvidia-smi/machines/h100-x8-gpu3-busy'),
  NO_COLOR: '1',
  NIM_CACHE_PATH: path.join(tmp, 'cache'),
  // the private folder holds the compiled copy of the manifest that a restart reuses (src/manifest/compiled.ts)
  XDG_CACHE_HOME: path.join(tmp, 'xdg'),
};

/** A NIM 1.x manifest (the layout most real NIMs ship) with `n` profiles over every engine, GPU and precision. */
function writeManifest(file, n) {
  const gpus = [['H100', '2330:10de'], ['H100_NVL', '2321:10de'], ['H200', '2335:10de'], ['A100', '20b2:10de'], ['L40S', '26b9:10de'], ['A10G', '2237:10de'], [null, null]];
  const engines = ['tensorrt_llm', 'vllm', 'sglang'];
  const precisions = ['fp8', 'bf16', 'fp16', 'nvfp4', 'int4_awq'];
  const out = [];
  for (let i = 0; i < n; i++) {
    const [gpu, device] = gpus[i % gpus.length];
    const engine = gpu ? 'tensorrt_llm' : engines[i % engines.length];
    const tp = [1, 2, 4, 8][Math.floor(i / 7) % 4];
    const tags = { feat_lora: String(i % 11 === 0), llm_engine: engine, pp: '1', precision: precisions[Math.floor(i / 3) % precisions.length], tp: String(tp),
      ...(gpu ? { gpu, gpu_device: device, profile: i % 2 ? 'latency' : 'throughput' } : {}), variant: String(i) };
    const id = createHash('sha256').update(`bench-${i}`).digest('hex');
    out.push(`${id}:`, '  model: example/bench-model', "  release: '1.0.0'", '  tags:');
    for (const [k, v] of Object.entries(tags)) out.push(`    ${k}: '${v}'`);
    out.push('  workspace: !workspace', '    components:', "    - dst: ''", '      src:', '        files:');
    for (const f of ['config.json', 'tokenizer.json', 'model.safetensors', 'checksums.blake3']) out.push(`        - !name '${f}'`);
    out.push(`        repo_id: ngc://example/bench-model:1.0.0-${engine}-${i}`);
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
}

const manifest = path.join(tmp, 'model_manifest.yaml');
writeManifest(manifest, PROFILES);
const nimlet = path.join(root, 'bin/nimlet');
// The probe's exact query (DESIGN §5), so the baseline pays for the same nvidia-smi answer.
const query = ['--query-gpu=index,uuid,name,pci.bus_id,pci.device_id,memory.total,memory.used,memory.free,compute_cap,driver_version,mig.mode.current', '--format=csv,noheader,nounits'];

let coldRun = 0;
function timed(steps) {
  const start = process.hrtime.bigint();
  for (const [cmd, args, extraEnv] of steps) {
    const r = spawnSync(cmd, args, { env: { ...env, ...(extraEnv?.() ?? {}) }, cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows = {
  'baseline: node -e 0 + nvidia-smi': [[process.execPath, ['-e', '0']], [path.join(bin, 'nvidia-smi'), query]],
  'nimlet gpus --json': [[process.execPath, [nimlet, 'gpus', '--json']]],
  [`nimlet list-model-profiles --json (${PROFILES} profiles)`]: [[process.execPath, [nimlet, 'list-model-profiles', '--json', '--manifest', manifest]]],
  // the first start (a fresh container: no private folder yet) parses the YAML; shown for the record, no bound
  [`  same, first start (parses YAML)`]: [[process.execPath, [nimlet, 'list-model-profiles', '--json', '--manifest', manifest], () => ({ XDG_CACHE_HOME: path.join(tmp, `cold-${coldRun++}`) })]],
};
const times = Object.fromEntries(Object.keys(rows).map((k) => [k, []]));
try {
  for (const steps of Object.values(rows)) timed(steps); // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const [name, steps] of Object.entries(rows)) times[name].push(timed(steps));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const names = Object.keys(rows);
const base = median(times[names[0]]);
const bounds = { [names[1]]: 2.0, [names[2]]: 3.0 };
const width = Math.max(...names.map((n) => n.length));
console.log(`startup, median of ${RUNS} runs (node ${process.version}, ${os.cpus().length} CPUs)`);
console.log(`${'command'.padEnd(width)}  median ms    min ms    max ms   ratio   bound`);
let failed = false;
for (const name of names) {
  const m = median(times[name]);
  const ratio = m / base;
  const bound = bounds[name];
  const over = bound !== undefined && !(ratio <= bound); // NaN (no runs, a failed one) fails too
  failed ||= over;
  console.log(`${name.padEnd(width)}  ${m.toFixed(1).padStart(9)}  ${Math.min(...times[name]).toFixed(1).padStart(8)}  ${Math.max(...times[name]).toFixed(1).padStart(8)}  ${ratio.toFixed(2).padStart(6)}  ${bound === undefined ? '     -' : `≤ ${bound.toFixed(1)}`}${over ? '  EXCEEDED' : ''}`);
}
console.log(failed ? 'FAIL: a start-up bound is exceeded' : 'OK: every start-up bound holds');
process.exitCode = failed ? 1 : 0;
