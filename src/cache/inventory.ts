// What the cache holds, read from the folder alone (no manifest, no network): for `cache ls`, verify and prune.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { cacheLayout, type CacheLayout } from './layout.js';
import { readMarker, type Marker } from './marker.js';

export interface WorkspaceInfo {
  dir: string;
  name: string;
  /** The marker, when the workspace is complete. */
  marker: Marker | null;
}

export interface Inventory {
  layout: CacheLayout;
  workspaces: WorkspaceInfo[];
  blobs: { hex: string; bytes: number }[];
  partials: { key: string; bytes: number }[];
}

export async function list(dir: string): Promise<string[]> {
  return readdir(dir).then((names) => names.sort(), () => []);
}

export async function readInventory(cacheDir: string): Promise<Inventory> {
  const layout = cacheLayout(cacheDir);
  const workspaces = await Promise.all(
    (await list(layout.profiles)).map(async (name) => {
      const dir = path.join(layout.profiles, name);
      return { dir, name, marker: await readMarker(dir) };
    }),
  );
  const sized = async (dir: string, name: string) => (await lstat(path.join(dir, name)).catch(() => null))?.size ?? 0;
  const blobs = await Promise.all((await list(layout.blobs)).map(async (hex) => ({ hex, bytes: await sized(layout.blobs, hex) })));
  const partials = await Promise.all((await list(layout.partials)).map(async (key) => ({ key, bytes: await sized(layout.partials, key) })));
  return { layout, workspaces, blobs, partials };
}

/** Bytes a complete workspace holds (its blobs, or the unpacked trees). */
export function markerBytes(marker: Marker): number {
  return marker.files.reduce((s, f) => s + (f.extract ? (f.tree ?? []).reduce((t, e) => t + e.size, 0) : f.size), 0);
}
