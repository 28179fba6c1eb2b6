// What the cache commands share: the cache folder (--cache over NIM_CACHE_PATH), the manifest, and signal
// handling — SIGTERM/SIGINT abort the download, which stops cleanly and leaves the cache consistent.
import path from 'node:path';
import { readSettings, type Settings } from '../config/env.js';
import { NimletError } from '../errors.js';
import type { CliContext, CommonOptions } from '../cli/context.js';
import type { Manifest } from '../manifest/types.js';

export function cacheSettings(ctx: CliContext, options: CommonOptions): { settings: Settings; cacheDir: string } {
  const settings = readSettings(ctx.env);
  const cacheDir = options.cache ? path.resolve(ctx.cwd, options.cache) : settings.cacheDir;
  return { settings: { ...settings, cacheDir }, cacheDir };
}

export async function loadCommandManifest(ctx: CliContext, options: CommonOptions, settings: Settings): Promise<Manifest> {
  const { locateManifest } = await import('../manifest/locate.js');
  const { loadManifestCompiled } = await import('../manifest/compiled.js');
  return loadManifestCompiled(locateManifest(options.manifest, settings, ctx.cwd), settings.cacheDir);
}

const SIGNALS = { SIGTERM: 143, SIGINT: 130 } as const;

/**
 * Runs `work` with a signal that SIGTERM/SIGINT (and ctx.signal) abort. An interruption surfaces as
 * NimletError('interrupted') with 143 for SIGTERM, 130 for SIGINT.
 */
export async function withInterrupts<T>(ctx: CliContext, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: keyof typeof SIGNALS | null = null;
  const handlers = Object.keys(SIGNALS).map((name) => {
    const sig = name as keyof typeof SIGNALS;
    const handler = () => {
      received ??= sig;
      controller.abort(new Error(`received ${sig}`));
    };
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  const onCtx = () => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCtx, { once: true });
  if (ctx.signal.aborted) onCtx();
  try {
    return await work(controller.signal);
  } catch (e) {
    if (controller.signal.aborted && e instanceof NimletError && e.code === 'interrupted') {
      const exitCode = received ? SIGNALS[received] : e.exitCode;
      throw new NimletError('interrupted', `interrupted${received ? ` by ${received}` : ''}: downloads stopped; the cache is consistent and the next run resumes`, {
        hint: 'run the same command again to resume',
        exitCode,
      });
    }
    throw e;
  } finally {
    for (const off of handlers) off();
    ctx.signal.removeEventListener('abort', onCtx);
  }
}
