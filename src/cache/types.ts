// What the cache hands to `serve` and the download commands (DESIGN §7).

export interface DownloadPlan {
  /** Files in the profile's workspace. */
  files: number;
  /** Bytes still to fetch, of the files whose size is known (from the manifest) before the first byte. */
  bytes: number;
  /** Files still to fetch whose size is not known yet: `bytes` leaves them out, and output says so. */
  unknownSizeFiles: number;
  /** Files already present and verified in the cache. */
  cached: number;
}

export interface PreparedModel {
  /** The folder the engine is given: the published profile workspace (or NIM_MODEL_NAME's folder). */
  modelDir: string;
  plan: DownloadPlan;
  /** Bytes actually fetched over the network in this run. */
  fetchedBytes: number;
  /**
   * Ends the lease that keeps `cache prune` off this workspace (lease.ts). Not called, it is held until the
   * process exits (serve: as long as the engine runs).
   */
  release: () => Promise<void>;
}
