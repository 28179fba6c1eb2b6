// One fresh folder per test for the CLI tests: a cache, a manifest, a model store, a bin/ first on PATH with the
// fake nvidia-smi and fake engines, and the environment nimlet runs with, built from nothing but PATH and HOME.
// Everything made here (folders, servers) is removed after each test: make them in the test or a beforeEach, not in
// a beforeAll or a describe's body.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet, type CliResult, type RunOptions } from './cli.js';
import { FAKE_ENGINE, FAKE_NVSMI, NODE_DIR } from './paths.js';

// Bound to the running test (onTestFinished, last made first removed), not a module-level afterEach: files outside
// test/cli share one module graph per worker, where a top-level hook would run for the first importing file only.
const cleanups = { push: (clean: () => unknown): void => onTestFinished(async () => void (await clean())) };

/** The environment a test run gets: nothing from the developer's shell but PATH and HOME; retries 10 ms apart. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', NIMLET_RETRY_BASE_MS: '10', ...extra };
}

export interface SandboxOptions {
  /** The manifest's text, written to `manifest` (default: none written). */
  manifest?: string;
  /** Command names the fake engine is linked as in bin/ (default vllm and trtllm-serve). */
  engines?: string[] | undefined;
  /** The fake nvidia-smi's machine (a name under test/fixtures/nvidia-smi/machines or a path); null: no nvidia-smi. */
  machine?: string | null;
}

export interface Sandbox {
  dir: string;
  /** First on PATH: nvidia-smi and the engines. */
  bin: string;
  cache: string;
  /** Where the manifest is (NIMLET_MANIFEST), written or not. */
  manifest: string;
  /** The fake engine's record (FAKE_ENGINE_RECORD). */
  record: string;
  /** The environment nimlet runs with. */
  env: Record<string, string>;
  /** nimlet in this sandbox: its environment plus `extra`, in-process unless options say otherwise. */
  run(args: string[], extra?: Record<string, string>, options?: RunOptions): Promise<CliResult>;
  /** An artifact server on 127.0.0.1, stopped after the test. */
  server(): Promise<ArtifactServer>;
}

/** A temporary folder removed after the test. */
export function tempDir(prefix = 'nimlet-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function linkEngines(bin: string, names = ['vllm', 'trtllm-serve']): void {
  for (const n of names) symlinkSync(FAKE_ENGINE, path.join(bin, n));
}

/**
 * `dir/bin` holds the fake engine as each of `names`; `dir/record.jsonl` is where it writes. For tests that make
 * it while collecting (a describe's body): not removed after each test, as a sandbox is.
 */
export function makeEngineBin(names?: string[]): { dir: string; bin: string; record: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-engine-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  linkEngines(bin, names);
  return { dir, bin, record: path.join(dir, 'record.jsonl') };
}

export function makeSandbox(options: SandboxOptions = {}): Sandbox {
  const dir = tempDir('nimlet-cli-');
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  linkEngines(bin, options.engines);
  const machine = options.machine === undefined ? 'h100-sxm-x8' : options.machine;
  if (machine !== null) symlinkSync(FAKE_NVSMI, path.join(bin, 'nvidia-smi'));
  const manifest = path.join(dir, 'model_manifest.yaml');
  if (options.manifest !== undefined) writeFileSync(manifest, options.manifest);
  const cache = path.join(dir, 'cache');
  const record = path.join(dir, 'record.jsonl');
  const env: Record<string, string> = {
    PATH: `${bin}:${NODE_DIR}:/usr/bin:/bin`,
    HOME: dir,
    NIMLET_MANIFEST: manifest,
    NIM_CACHE_PATH: cache,
    FAKE_ENGINE_RECORD: record,
    NIMLET_RETRY_BASE_MS: '10',
    // the exec path serve's tests were written for (DESIGN §8); test/front starts the front on purpose
    NIMLET_FRONT: 'off',
    ...(machine === null ? {} : { NIMLET_FAKE_NVSMI_MACHINE: machine }),
  };
  return {
    dir, bin, cache, manifest, record, env,
    run: (args, extra = {}, runOptions = {}) => nimlet(args, { ...env, ...extra }, { cwd: dir, ...runOptions }),
    async server() {
      const srv = await startArtifactServer();
      cleanups.push(() => srv.stop());
      return srv;
    },
  };
}

/** A local model folder in the sandbox (what NIM_MODEL_NAME names) holding a config.json. */
export function makeModelFolder(sb: Pick<Sandbox, 'dir'>, name = 'store'): string {
  const folder = path.join(sb.dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'config.json'), '{}');
  return folder;
}
