// What the cache commands share: the cache folder (--cache over NIM_CACHE_PATH), the manifest, and signal
// handling — SIGTERM/SIGINT abort the download, which stops cleanly and leaves the cache consistent.
import type { Settings } from '../config/env.js';
import type { CliContext, CommonOptions } from './context.js';
import { DOWNLOAD_WORDING, installInterrupt } from './interrupt.js';
import { commandSettings } from './settings.js';
import type { Manifest } from '../manifest/types.js';

export function cacheSettings(ctx: CliContext, options: CommonOptions): { settings: Settings; cacheDir: string } {
  const settings = commandSettings(ctx, options);
  return { settings, cacheDir: settings.cacheDir };
}

export async function loadCommandManifest(ctx: CliContext, options: CommonOptions, settings: Settings): Promise<Manifest> {
  // DESIGN §13: NIM_MODEL_PATH=hf://… with no manifest named builds one from the model
  const named = (options.manifest ?? '') !== '' || settings.manifestFile !== null;
  const { modelSourceManifest } = await import('../model-source/index.js');
  const generated = await modelSourceManifest(settings, named, ctx.signal);
  if (generated !== null) return generated;
  const { locateManifest } = await import('../manifest/locate.js');
  const { loadManifestCompiled } = await import('../manifest/compiled.js');
  return loadManifestCompiled(locateManifest(options.manifest, settings, ctx.cwd), settings.privateDir);
}

/**
 * Runs `work` with a signal that SIGTERM/SIGINT (and ctx.signal) abort. An interruption surfaces as
 * NimletError('interrupted') with 143 for SIGTERM, 130 for SIGINT.
 */
export async function withInterrupts<T>(ctx: CliContext, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = installInterrupt(ctx.signal, process, DOWNLOAD_WORDING);
  try {
    return await work(interrupt.signal);
  } catch (e) {
    throw interrupt.outcome(e);
  } finally {
    interrupt.dispose();
  }
}
