import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST_PATHS, locateManifest } from '../../src/manifest/locate.js';

let dir = '';
/** Stand-ins for the two NIM system locations, which this machine (nimlet's own image, say) may really have. */
let nim: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-locate-'));
  mkdirSync(path.join(dir, 'sub'));
  nim = [path.join(dir, 'opt-nim', 'model_manifest.yaml'), path.join(dir, 'etc-nim', 'model_manifest.yaml')];
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

  it('looks, in order, at /opt/nim/etc/default, /etc/nim/config, then ./model_manifest.yaml', () => {
    expect(DEFAULT_MANIFEST_PATHS).toEqual(['/opt/nim/etc/default/model_manifest.yaml', '/etc/nim/config/model_manifest.yaml', './model_manifest.yaml']);
  });

  it('then the NIM locations, the first that exists; ./model_manifest.yaml when they are absent', () => {
    const sub = path.join(dir, 'sub');
    const locations = [...nim, './model_manifest.yaml'];
    writeFileSync(path.join(sub, 'model_manifest.yaml'), '');
    expect(locateManifest(undefined, { manifestFile: null }, sub, locations)).toBe(path.join(sub, 'model_manifest.yaml'));
    mkdirSync(path.dirname(nim[1]!));
    writeFileSync(nim[1]!, '');
    expect(locateManifest(undefined, { manifestFile: null }, sub, locations)).toBe(nim[1]);
    mkdirSync(path.dirname(nim[0]!));
    writeFileSync(nim[0]!, '');
    expect(locateManifest(undefined, { manifestFile: null }, sub, locations)).toBe(nim[0]);
  });

  it.each([
    ['x.yaml', null, 'manifest x.yaml (from --manifest): no such file'],
    [undefined, 'y.yaml', 'manifest y.yaml (from NIMLET_MANIFEST): no such file'],
  ])('a named file that is missing is not-found (66): %s %s', (option, env, message) => {
    expect(() => locateManifest(option, { manifestFile: env }, dir)).toThrow(expect.objectContaining({ code: 'not-found', exitCode: 66, message }));
  });

  it('lists where it looked when nothing is found', () => {
    const sub = path.join(dir, 'sub');
    expect(() => locateManifest(undefined, { manifestFile: null }, sub, [...nim, './model_manifest.yaml'])).toThrow(
      expect.objectContaining({
        code: 'not-found',
        message: 'no model manifest found',
        details: [`looked at ${nim[0]}`, `looked at ${nim[1]}`, `looked at ${path.join(sub, 'model_manifest.yaml')}`],
      }),
    );
  });
});
