// NIMLET_DOWNLOAD_CONNECTIONS and NIMLET_MAX_CONNECTIONS (DESIGN §15): how many ranged connections one file may
// use, and how many all files together may hold. A bad value is exit 78 naming the variable (readInt).
import { NimletError } from '../errors.js';
import { readInt, type Env } from './env.js';

export interface DownloadSettings {
  /** Ranged connections per file; 1 is one stream per file, as before issue 15. */
  connections: number;
  /** Connections across every file being fetched at once (4 files in parallel: see ensure-profile). */
  maxConnections: number;
}

/**
 * Defaults: 16 per file is what `aria2c -x16` and the DESIGN's budget use; CDNs cap each connection at tens of
 * MB/s, and on the bench's nginx `limit_rate 20m` origin 16 fill ~320 MB/s while 8 stop at half that
 * (bench/download.mjs). 64 in all: 4 files at once (ensure-profile's pool) × 16, so a profile of many large
 * files opens no more sockets than one aria2c per file would.
 */
export const DEFAULT_DOWNLOADS: DownloadSettings = { connections: 16, maxConnections: 64 };

export function readDownloadSettings(env: Env): DownloadSettings {
  const connections = readInt(env, 'NIMLET_DOWNLOAD_CONNECTIONS', 1, 64) ?? DEFAULT_DOWNLOADS.connections;
  const maxConnections = readInt(env, 'NIMLET_MAX_CONNECTIONS', 1, 1024) ?? Math.max(connections, DEFAULT_DOWNLOADS.maxConnections);
  if (maxConnections < connections) {
    throw new NimletError('bad-config', `NIMLET_MAX_CONNECTIONS=${maxConnections} is below NIMLET_DOWNLOAD_CONNECTIONS=${connections}`, {
      hint: 'raise NIMLET_MAX_CONNECTIONS (connections across all files) to at least NIMLET_DOWNLOAD_CONNECTIONS (per file), or unset one',
    });
  }
  return { connections, maxConnections };
}
