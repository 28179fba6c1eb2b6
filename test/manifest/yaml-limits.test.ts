// YAML that would hang or blow up a reader (aliases, a billion laughs) is a located exit 65, not a crash or a hang.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/manifest/load.js';

function outcome(read: (text: string, file: string) => unknown, text: string): unknown {
  try {
    return read(text, 'm.yaml');
  } catch (e) {
    return e;
  }
}

describe('YAML limits', () => {
  it.each([
    ['an alias to itself', 'a: &a [*a]\n', /refers to itself|alias/i],
    ['a billion laughs', ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => {
      const p = i === 0 ? 'a' : `l${i - 1}`;
      return `l${i}: &l${i} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
    })].join('\n') + '\n', /alias/i],
  ])('%s: a located exit 65, not a crash or a hang', (_what, text, reason) => {
    const e = outcome(parseManifestText, text) as { exitCode?: number; message?: string; details?: unknown };
    expect(e.exitCode).toBe(65);
    expect(JSON.stringify(e.details)).toMatch(reason);
  });
});
