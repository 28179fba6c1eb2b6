// Property: whatever the breakage, parseManifestText throws a NimletError (65) whose every detail names the
// file and a line, and one of them locates the broken key; nothing else is ever thrown.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NimletError } from '../../src/errors.js';
import { parseManifestText } from '../../src/manifest/load.js';
import { brokenManifest } from './broken.gen.js';

describe('broken manifests (property)', () => {
  it('always fail with exit 65 and located problems', () => {
    fc.assert(
      fc.property(brokenManifest, ({ text, expect: fragment }) => {
        let caught: unknown;
        try {
          parseManifestText(text, 'broken.yaml');
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(NimletError);
        const err = caught as NimletError;
        expect(err.exitCode).toBe(65);
        expect(err.message).toMatch(/^broken\.yaml: \d+ problems?$/);
        expect(err.details.length).toBeGreaterThan(0);
        for (const d of err.details) expect(d).toMatch(/^broken\.yaml:\d+: \S/);
        expect(err.details.join('\n')).toContain(fragment);
      }),
      { numRuns: 300 },
    );
  });
});
