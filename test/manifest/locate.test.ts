import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateManifest } from '../../src/manifest/locate.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-locate-'));
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'a.yaml'), '');
  writeFileSync(path.join(dir, 'b.yaml'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('locateManifest', () => {
  it('takes --manifest first, relative to cwd', () => {
    expect(locateManifest('a.yaml', { manifestFile: path.join(dir, 'b.yaml') }, dir)).toBe(path.join(dir, 'a.yaml'));
  });

  it('then NIMLET_MANIFEST', () => {
    expect(locateManifest(undefined, { manifestFile: 'b.yaml' }, dir)).toBe(path.join(dir, 'b.yaml'));
  });

  it('then ./model_manifest.yaml when the NIM locations are absent', () => {
    writeFileSync(path.join(dir, 'sub', 'model_manifest.yaml'), '');
    expect(locateManifest(undefined, { manifestFile: null }, path.join(dir, 'sub'))).toBe(path.join(dir, 'sub', 'model_manifest.yaml'));
  });

  it.each([
    ['x.yaml', null, 'manifest x.yaml (from --manifest): no such file'],
    [undefined, 'y.yaml', 'manifest y.yaml (from NIMLET_MANIFEST): no such file'],
  ])('a named file that is missing is not-found (66): %s %s', (option, env, message) => {
    expect(() => locateManifest(option, { manifestFile: env }, dir)).toThrow(expect.objectContaining({ code: 'not-found', exitCode: 66, message }));
  });

  it('lists where it looked when nothing is found', () => {
    const sub = path.join(dir, 'sub');
    expect(() => locateManifest(undefined, { manifestFile: null }, sub)).toThrow(
      expect.objectContaining({
        code: 'not-found',
        message: 'no model manifest found',
        details: ['looked at /opt/nim/etc/default/model_manifest.yaml', 'looked at /etc/nim/config/model_manifest.yaml', `looked at ${path.join(sub, 'model_manifest.yaml')}`],
      }),
    );
  });
});
