// Doctor: the manifest is found and valid, and whether its sources need credentials that are absent.
import type { Settings } from '../../config/env.js';
import { isNimletError } from '../../errors.js';
import { loadManifest } from '../../manifest/load.js';
import { locateManifest } from '../../manifest/locate.js';
import type { Manifest } from '../../manifest/types.js';
import { check, type Check } from './check.js';

export interface ManifestVerdict {
  checks: Check[];
  manifest: Manifest | null;
  /** The manifest's own exit code when it failed (66 not found, 65 invalid): doctor exits with it, as serve would. */
  exitCode: number | null;
}

export async function checkManifest(option: string | undefined, settings: Settings, cwd: string): Promise<ManifestVerdict> {
  try {
    const file = locateManifest(option, settings, cwd);
    const manifest = await loadManifest(file);
    const detail = `${file}: ${manifest.profiles.length} profiles (${manifest.layout} layout)`;
    const c = manifest.warnings.length > 0
      ? check('manifest', 'warn', `${detail}, ${manifest.warnings.length} warnings: ${manifest.warnings[0]}`, `run \`nimlet manifest validate ${file}\` for every warning`)
      : check('manifest', 'ok', detail);
    return { checks: [c], manifest, exitCode: null };
  } catch (e) {
    if (!isNimletError(e)) throw e;
    const detail = [e.message, ...e.details.slice(0, 3)].join('; ');
    return { checks: [check('manifest', 'fail', detail, e.hint)], manifest: null, exitCode: e.exitCode };
  }
}

/** Whether the manifest fetches anything from `scheme` (`ngc://`, `hf://`); without a manifest, assume it may. */
export function manifestUses(manifest: Manifest | null, scheme: string): boolean {
  return manifest === null || manifest.profiles.some((p) => p.files.some((f) => f.uri.startsWith(scheme)));
}

/** NGC_API_KEY and HF_TOKEN: present or absent (never their values), and whether the manifest needs them. */
export function checkCredentials(settings: Settings, manifest: Manifest | null): Check[] {
  const uris = manifest ? manifest.profiles.flatMap((p) => p.files.map((f) => f.uri)) : [];
  const needs = (scheme: string) => uris.some((u) => u.startsWith(scheme));
  const one = (name: string, present: boolean, scheme: string, hint: string): Check => {
    if (present) return check(name, 'ok', 'present');
    if (manifest && needs(scheme)) return check(name, 'warn', `absent, and the manifest has ${scheme} sources`, hint);
    return check(name, 'ok', manifest ? `absent (no ${scheme} source needs it)` : 'absent');
  };
  return [
    one('NGC_API_KEY', settings.ngcApiKey !== null, 'ngc://', 'set NGC_API_KEY to an NGC API key (ngc.nvidia.com → Setup → API key)'),
    one('HF_TOKEN', settings.hfToken !== null, 'hf://', 'set HF_TOKEN for gated or private Hugging Face repositories'),
  ];
}
