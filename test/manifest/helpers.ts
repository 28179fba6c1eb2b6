// Test helpers: fixture paths and a way to capture the NimletError a manifest produces.
import { fileURLToPath } from 'node:url';
import { NimletError } from '../../src/errors.js';
import { parseManifestText } from '../../src/manifest/load.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/manifests/${name}`, import.meta.url));

/** The error parseManifestText throws for `text`; fails the test when it loads or throws anything else. */
export function manifestError(text: string, file = 'm.yaml'): NimletError {
  try {
    parseManifestText(text, file);
  } catch (e) {
    if (e instanceof NimletError) return e;
    throw new Error(`not a NimletError: ${String(e)}`);
  }
  throw new Error('the manifest loaded');
}
