// What of a profile is already in the cache, with no network and no lock: the plan a dry run shows.
import { stat } from 'node:fs/promises';
import { NimletError } from '../errors.js';
import { parseSourceUri, type ParsedSource } from '../manifest/source-uri.js';
import type { Profile, WorkspaceFile } from '../manifest/types.js';
import type { DownloadPlan } from './types.js';
import { cachedBlob } from './blob-store.js';
import { fileKey, partialPath, type CacheLayout } from './layout.js';

export interface FileState {
  file: WorkspaceFile;
  source: ParsedSource;
  /** sha256 of the cached blob; null when it still has to be fetched. */
  sha256: string | null;
  /** Bytes of a resumable partial already on disk. */
  partialBytes: number;
}

export function parseFileSource(file: WorkspaceFile, manifestDir: string, profile: Profile): ParsedSource {
  const parsed = parseSourceUri(file.uri, manifestDir);
  if (!parsed.ok) {
    throw new NimletError('manifest-invalid', `profile ${profile.name}: file ${file.path}: ${parsed.error}`, {
      hint: 'fix the source URI in the manifest (nimlet manifest validate FILE lists every problem)',
    });
  }
  return parsed.source;
}

export async function scanProfile(layout: CacheLayout, profile: Profile, manifestDir: string): Promise<FileState[]> {
  return Promise.all(
    profile.files.map(async (file) => {
      const source = parseFileSource(file, manifestDir, profile);
      const sha256 = await cachedBlob(layout, file, source);
      const partialBytes = sha256 ? 0 : await stat(partialPath(layout, fileKey(file, source))).then((s) => s.size, () => 0);
      return { file, source, sha256, partialBytes };
    }),
  );
}

export function planOf(states: readonly FileState[]): DownloadPlan {
  const missing = states.filter((s) => s.sha256 === null);
  return {
    files: states.length,
    bytes: missing.reduce((sum, s) => sum + Math.max(0, (s.file.size ?? 0) - s.partialBytes), 0),
    unknownSizeFiles: missing.filter((s) => s.file.size === null).length,
    cached: states.length - missing.length,
  };
}

/** Sources that need the network (file:// and relative paths are copied even when offline). */
export const needsNetwork = (s: FileState): boolean => s.source.kind !== 'file';
