// The selection fixtures (test/fixtures/select: a NIM manifest, an ambiguous one, golden listings) and a run of
// nimlet against them on one of the fake machines.
import fs from 'node:fs';
import path from 'node:path';
import { nimlet, type CliResult } from './cli.js';
import { FIXTURES as ALL_FIXTURES } from './paths.js';
import { makeSandbox } from './sandbox.js';

export { ROOT } from './paths.js';
export const FIXTURES = path.join(ALL_FIXTURES, 'select');
export const MANIFEST = path.join(FIXTURES, 'model_manifest.yaml');

export interface CliOptions {
  /** A machine under test/fixtures/nvidia-smi/machines; null: no nvidia-smi on PATH at all. */
  machine: string | null;
  env?: Record<string, string>;
}

/** nimlet in a fresh sandbox (its own folder as cwd and HOME), with PATH holding only its bin/. */
export function runCli(args: string[], { machine, env = {} }: CliOptions): Promise<CliResult> {
  const sb = makeSandbox({ machine, engines: [] });
  // nothing but what these tests name: the manifest is an argument, the cache the default one under HOME
  const machineVar = machine === null ? {} : { NIMLET_FAKE_NVSMI_MACHINE: machine };
  return nimlet(args, { PATH: sb.bin, HOME: sb.dir, NO_COLOR: '1', ...machineVar, ...env }, { cwd: sb.dir });
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
