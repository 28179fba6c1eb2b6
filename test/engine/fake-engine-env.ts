// A temporary folder with the fake engine linked under the engines' command names, and its record reader.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_ENGINE = fileURLToPath(new URL('../fixtures/engines/fake-engine', import.meta.url));

export interface EngineRecord {
  event: 'start' | 'ready' | 'signal';
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  signal?: string;
  at: number;
}

/** `dir/bin` holds the fake engine as each of `names`; `dir/record.jsonl` is where it writes. */
export function makeEngineBin(names: string[] = ['vllm', 'trtllm-serve']): { dir: string; bin: string; record: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-engine-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  for (const n of names) symlinkSync(FAKE_ENGINE, path.join(bin, n));
  return { dir, bin, record: path.join(dir, 'record.jsonl') };
}

export function readRecord(file: string): EngineRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EngineRecord);
}

export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
