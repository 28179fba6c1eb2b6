// Shared by the serve tests: a fresh folder per test with a manifest, a fake nvidia-smi and fake engines first on
// PATH, and the built CLI (bin/nimlet → dist/) run as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NIMLET = path.join(ROOT, 'bin', 'nimlet');
const FAKE_ENGINE = path.join(ROOT, 'test', 'fixtures', 'engines', 'fake-engine');
const FAKE_NVSMI = path.join(ROOT, 'test', 'fixtures', 'nvidia-smi', 'nvidia-smi');

/** The 8 GPU UUIDs of the fake h100-sxm-x8 machine, by index. */
export const H100_UUIDS = Array.from({ length: 8 }, (_, i) => `GPU-3f2a9c1${i}-7b4e-4d21-9a0c-5e8f1b2c3d4${i}`);

export interface Sandbox {
  dir: string;
  bin: string;
  record: string;
  manifest: string;
  cache: string;
  /** The environment nimlet runs with: nothing inherited but PATH's tail and HOME. */
  env: Record<string, string>;
}

export function makeSandbox(manifestYaml: string, engines = ['vllm', 'trtllm-serve']): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-serve-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  for (const e of engines) symlinkSync(FAKE_ENGINE, path.join(bin, e));
  symlinkSync(FAKE_NVSMI, path.join(bin, 'nvidia-smi'));
  const manifest = path.join(dir, 'model_manifest.yaml');
  writeFileSync(manifest, manifestYaml);
  const cache = path.join(dir, 'cache');
  const record = path.join(dir, 'record.jsonl');
  return {
    dir, bin, record, manifest, cache,
    env: {
      PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: dir,
      NIMLET_MANIFEST: manifest,
      NIM_CACHE_PATH: cache,
      NIMLET_FAKE_NVSMI_MACHINE: 'h100-sxm-x8',
      FAKE_ENGINE_RECORD: record,
      NIMLET_RETRY_BASE_MS: '10',
      // The fake nvidia-smi is a node process per query (an old driver's machine takes two): on a loaded
      // machine that can outlast the default 10 s. Tests of a hung probe set their own.
      NIMLET_PROBE_TIMEOUT: '60',
      // the exec path these tests were written for (DESIGN §8); test/front starts the front on purpose
      NIMLET_FRONT: 'off',
    },
  };
}

/** A local model folder (what NIM_MODEL_NAME names). */
export function makeModelFolder(sb: Sandbox, name = 'store'): string {
  const dir = path.join(sb.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), '{}');
  return dir;
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startNimlet(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [NIMLET, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runNimlet(args: string[], env: Record<string, string>): Promise<Result> {
  return startNimlet(args, env).done;
}

/** A schema-2 manifest from profile objects (YAML is a superset of JSON). */
export function manifestOf(profiles: unknown[]): string {
  return JSON.stringify({ schema_version: '2.0.0', profiles }, null, 2);
}
