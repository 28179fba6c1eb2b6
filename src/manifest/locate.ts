// Which manifest file to read: --manifest, then NIMLET_MANIFEST, then the first NIM location that exists.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NimletError } from '../errors.js';

/** Where NIM images keep their manifest, first found wins (DESIGN §2). */
export const DEFAULT_MANIFEST_PATHS = [
  '/opt/nim/etc/default/model_manifest.yaml',
  '/etc/nim/config/model_manifest.yaml',
  './model_manifest.yaml',
] as const;

/**
 * `settings.manifestFile`: NIMLET_MANIFEST. `locations`: where to look when neither names a file, first found wins (relative ones from `cwd`). Only tests
 * pass their own: the defaults are system paths that a machine (nimlet's own image) may well have.
 */
export function locateManifest(
  option: string | undefined, settings: { manifestFile: string | null }, cwd: string, locations: readonly string[] = DEFAULT_MANIFEST_PATHS,
): string {
  const named = option !== undefined && option !== '' ? { file: option, from: '--manifest' } : settings.manifestFile !== null ? { file: settings.manifestFile, from: 'NIMLET_MANIFEST' } : null;
  if (named) {
    const file = path.resolve(cwd, named.file);
    if (existsSync(file)) return file;
    throw new NimletError('not-found', `manifest ${named.file} (from ${named.from}): no such file`, {
      hint: `check the path given by ${named.from}`,
    });
  }
  const candidates = locations.map((p) => path.resolve(cwd, p));
  const found = candidates.find((p) => existsSync(p));
  if (found !== undefined) return found;
  throw new NimletError('not-found', 'no model manifest found', {
    details: candidates.map((p) => `looked at ${p}`),
    hint: 'pass --manifest FILE or set NIMLET_MANIFEST',
  });
}
