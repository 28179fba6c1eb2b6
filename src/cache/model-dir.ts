// Where the engine's model comes from: NIM_MODEL_NAME's folder as it is (no manifest download, no network), or
// the profile's workspace in the cache, fetched first if needed (a dry run only plans: no network).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/env.js';
import { NimletError } from '../errors.js';
import type { Profile } from '../manifest/types.js';

export interface ModelDirResult {
  modelDir: string;
  source: 'cache' | 'local';
  /** `bytes`: still to fetch, of the files of known size; `unknownSizeFiles`: the others; `fetchedBytes`: this run's. */
  download: { files: number; bytes: number; cached: number; unknownSizeFiles: number; fetchedBytes: number };
}

export interface ModelDirInput {
  profile: Profile;
  manifestDir: string;
  settings: Settings;
  cwd: string;
  dryRun: boolean;
  signal: AbortSignal;
  stderr: (s: string) => void;
  isTTY: boolean;
  /** Download progress in bytes (serve's front shows it on its readiness path). */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

async function localModelDir(raw: string, cwd: string): Promise<string> {
  const dir = path.resolve(cwd, raw);
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) {
    throw new NimletError('not-found', `NIM_MODEL_NAME=${JSON.stringify(raw)} is not a folder`, {
      hint: 'set NIM_MODEL_NAME to a model folder (create one with create-model-store), or unset it to use the cache',
    });
  }
  return dir;
}

/**
 * A profile that lists no files has nothing to download: it can only serve a model folder NIM_MODEL_NAME gives.
 * Without one, the engine would start on an empty workspace and fail far from the cause (exit 65, naming it).
 */
export function refuseEmptyProfile(profile: Profile, localModelDir: string | null): void {
  if (profile.files.length > 0 || localModelDir !== null) return;
  throw new NimletError('manifest-invalid', `profile ${profile.id} (${profile.name}) lists no files (${profile.location.file}:${profile.location.line}), so there is no model to serve`, {
    hint: 'set NIM_MODEL_NAME to the model folder this profile runs on, or list its files in the manifest',
  });
}

export async function resolveModelDir(input: ModelDirInput): Promise<ModelDirResult> {
  const { profile, settings } = input;
  refuseEmptyProfile(profile, settings.localModelDir);
  if (settings.localModelDir !== null) {
    const modelDir = await localModelDir(settings.localModelDir, input.cwd);
    return { modelDir, source: 'local', download: { files: 0, bytes: 0, cached: 0, unknownSizeFiles: 0, fetchedBytes: 0 } };
  }
  // loaded here, not at the top: a local model folder never needs the download stack
  const cache = await import('./ensure-profile.js');
  const opts = {
    cacheDir: settings.cacheDir, settings, signal: input.signal, stderr: input.stderr, isTTY: input.isTTY,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  };
  if (input.dryRun) {
    const plan = await cache.planProfile(profile, input.manifestDir, opts);
    const { cacheLayout, workspacePath } = await import('./layout.js');
    const modelDir = (await cache.findCompleteWorkspace(profile, settings.cacheDir)) ?? workspacePath(cacheLayout(settings.cacheDir), profile);
    return { modelDir, source: 'cache', download: { ...plan, fetchedBytes: 0 } };
  }
  const { modelDir, plan, fetchedBytes } = await cache.ensureProfile(profile, input.manifestDir, opts);
  return { modelDir, source: 'cache', download: { ...plan, fetchedBytes } };
}
