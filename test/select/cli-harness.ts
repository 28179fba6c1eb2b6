// Runs the built CLI as a real child process, in a fresh temporary folder, with the project's fake nvidia-smi
// (test/fixtures/nvidia-smi) first on PATH answering from one of test/fixtures/select/machines.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/select');
export const MANIFEST = path.join(FIXTURES, 'model_manifest.yaml');
const FAKE_NVSMI = path.join(ROOT, 'test/fixtures/nvidia-smi/nvidia-smi');
const BIN = path.join(ROOT, 'bin/nimlet');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** A folder under test/fixtures/select/machines; null: no nvidia-smi on PATH at all. */
  machine: string | null;
  env?: Record<string, string>;
}

export function runCli(args: string[], { machine, env = {} }: CliOptions): CliRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimlet-select-'));
  made.push(dir);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // PATH holds only what the test decides: node (the fake is a node script) and, when asked, nvidia-smi.
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  if (machine !== null) fs.symlinkSync(FAKE_NVSMI, path.join(bin, 'nvidia-smi'));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: bin,
      HOME: dir,
      NO_COLOR: '1',
      // each query of the fake nvidia-smi starts node: a loaded machine can outlast the default 10 s
      NIMLET_PROBE_TIMEOUT: '60',
      ...(machine === null ? {} : { NIMLET_FAKE_NVSMI_MACHINE: path.join(FIXTURES, 'machines', machine) }),
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Compares with test/fixtures/select/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead. */
export function golden(name: string, text: string): string {
  const file = path.join(FIXTURES, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return fs.readFileSync(file, 'utf8');
}

export const ids = {
  h100Fp8Tp1: 'ea854bf6f12eeff86cda455cf943defc4110178f821569a379326051ab888205',
  h100Fp8Tp2: 'd364e95ff4ab6f335a3b47e430a64ab278de6be49106a7642a1899310bb60872',
  h100Bf16Lora: 'c319f6599330261c59b6b709ac040207d9a604b04f16c9e8f06aa84688e5a706',
  l40sFp8: 'feaba40d5a93a22f40a126f49de230a29262b5104c448f0132e8b1e3f7bf7158',
  vllmFp8Tp1: '18215d97512b695c15ea12fa0091a125e93b142f27518f0a6d5b7ba30110ba46',
  vllmBf16Tp1: '53c8b74c545b8531a16b42350951085e2a1f1ef44c877641cad4de61597330f3',
  vllmBf16Lora: '137aa2ccd61df1cfce482bb0c8ad3c817e98cc10c9c9e1df9d005c098f38bc7f',
  sglangBf16: '5b6eb94bd03636bc54df6e0cf82d0b4b6df74357fb0c9201c5d1dfc63de3b633',
} as const;
