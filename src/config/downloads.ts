// NIMLET_DOWNLOAD_CONNECTIONS and NIMLET_MAX_CONNECTIONS (DESIGN §15): how many ranged connections one file may
// use, and how many all files together may hold. A bad value is exit 78 naming the variable (readInt).
import { NimletError } from '../errors.js';
import { readInt, type Env } from './read.js';

export interface DownloadSettings {
  /** Ranged connections per file; 1 is one stream per file, as before issue 15. */
  connections: number;
  /** Connections across every file being fetched at once (4 files in parallel: see ensure-profile). */
  maxConnections: number;
}

/**
 * Defaults, measured with bench/download.mjs (nginx `limit_rate 20m` per connection, 2 cores): 16 per file is
 * what `aria2c -x16` and the DESIGN's budget use; at 4 connections a 512 MiB file took 5.7 s, at 16 3.2 s
 * (aria2c -x16: 2.9 s). 16 in all as well: the link is filled by the sum, not by how it is shared among the 4
 * files fetched at once, and each connection holds ~2 MB of buffers: 64 put nimlet over its 150 MB RSS budget.
 */
export const DEFAULT_DOWNLOADS: DownloadSettings = { connections: 16, maxConnections: 16 };

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
