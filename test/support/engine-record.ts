// What the fake engine (test/fixtures/engines/fake-engine) recorded: how it was started and the signals it got.
import { existsSync, readFileSync } from 'node:fs';

export interface EngineRecord {
  event: 'start' | 'ready' | 'signal';
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  signal?: string;
  at: number;
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
