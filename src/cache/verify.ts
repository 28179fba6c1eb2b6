// `cache verify`: every blob re-hashed against its name, every workspace file against its marker. A workspace
// file that is a hard link to a blob already checked is the same bytes: it is not read twice.
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from './hash-file.js';
import type { Inventory } from './inventory.js';
import { COMPLETE_MARKER, tmpName } from './layout.js';
import type { Marker } from './marker.js';
import { unreadable } from './safe-read.js';

export interface VerifyReport {
  blobsChecked: number;
  filesChecked: number;
  problems: string[];
  /** What `--repair` removes: blobs (by sha256) and published workspaces (their folders) with a bad file. */
  damaged: { blobs: string[]; workspaces: string[] };
}

export async function verifyCache(inv: Inventory, onProgress: (what: string) => void = () => undefined): Promise<VerifyReport> {
  const problems: string[] = [];
  const damaged = { blobs: [] as string[], workspaces: [] as string[] };
  const good = new Set<string>();
  for (const b of inv.blobs) {
    const file = path.join(inv.layout.blobs, b.hex);
    onProgress(`blob ${b.hex}`);
    const got = await sha256File(file).catch((e: NodeJS.ErrnoException) => `nothing: ${unreadable(e)}`);
    if (got === b.hex) {
      const st = await lstat(file);
      good.add(`${st.dev}:${st.ino}`);
    } else {
      problems.push(`blob ${b.hex}: content hashes to ${got}`);
      damaged.blobs.push(b.hex);
    }
  }
  let filesChecked = 0;
  for (const ws of inv.workspaces) {
    if (ws.marker === null) continue;
    for (const extra of await unexpectedEntries(ws.dir, ws.marker)) {
      problems.push(`profile ${ws.marker.name}: ${extra} was not published by nimlet (planted?)`);
      damaged.workspaces.push(ws.dir);
    }
    for (const f of ws.marker.files) {
      const checks = f.extract ? (f.tree ?? []).filter((e) => e.sha256 !== null).map((e) => ({ rel: `${f.path}/${e.path}`, sha256: e.sha256! })) : [{ rel: f.path, sha256: f.sha256 }];
      for (const c of checks) {
        filesChecked++;
        const file = path.join(ws.dir, c.rel);
        const st = await lstat(file).catch(() => null);
        if (st === null) {
          problems.push(`profile ${ws.marker.name}: ${c.rel} is missing`);
          damaged.workspaces.push(ws.dir);
          continue;
        }
        if (!f.extract && good.has(`${st.dev}:${st.ino}`)) {
          // the same inode as a verified blob: verified above, provided it is the blob the marker names
          if ((await lstat(path.join(inv.layout.blobs, c.sha256)).catch(() => null))?.ino === st.ino) continue;
        }
        onProgress(`${ws.marker.name}/${c.rel}`);
        const got = await sha256File(file).catch((e: NodeJS.ErrnoException) => `nothing: ${unreadable(e)}`);
        if (got !== c.sha256) {
          problems.push(`profile ${ws.marker.name}: ${c.rel} hashes to ${got}, expected ${c.sha256}`);
          damaged.workspaces.push(ws.dir);
        }
      }
    }
  }
  return { blobsChecked: inv.blobs.length, filesChecked, problems, damaged: { blobs: damaged.blobs, workspaces: [...new Set(damaged.workspaces)] } };
}

/**
 * Entries in a published workspace its marker does not account for: a file, link, FIFO or device added after
 * publishing (another pod on the shared volume) would be read by the engine as part of the model.
 */
async function unexpectedEntries(dir: string, marker: Marker): Promise<string[]> {
  const known = new Set<string>([COMPLETE_MARKER]);
  const addWithParents = (p: string) => {
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) known.add(p.slice(0, i));
    known.add(p);
  };
  for (const f of marker.files) {
    addWithParents(f.path);
    for (const e of f.extract ? f.tree ?? [] : []) addWithParents(`${f.path}/${e.path}`);
  }
  const unpacked = marker.files.filter((f) => f.extract).map((f) => `${f.path}/`);
  const out: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    // an unpacked archive's folders (even empty ones) are not listed in its tree; anything else not known is extra
    if (known.has(rel) || (e.isDirectory() && unpacked.some((u) => rel.startsWith(u)))) continue;
    if (!(e.isDirectory() && [...known].some((k) => k.startsWith(`${rel}/`)))) out.push(rel);
  }
  return out.sort();
}

/**
 * Removes what verify found damaged, so the next serve or download-to-cache fetches it again: each workspace is
 * unpublished first (renamed into tmp/, then deleted: no reader ever sees a half-removed one), then each blob.
 * An engine already running from a removed workspace keeps the files it has open.
 */
export async function repairCache(inv: Inventory, damaged: VerifyReport['damaged']): Promise<{ workspaces: number; blobs: number }> {
  let workspaces = 0;
  let blobs = 0;
  for (const dir of damaged.workspaces) if (await removeAside(inv, dir)) workspaces++;
  for (const hex of damaged.blobs) if (await removeAside(inv, path.join(inv.layout.blobs, hex))) blobs++;
  return { workspaces, blobs };
}

async function removeAside(inv: Inventory, target: string): Promise<boolean> {
  const aside = tmpName(inv.layout, 'damaged');
  const moved = await rename(target, aside).then(() => true, (e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return false; // another process repaired or replaced it already
    throw e;
  });
  if (moved) await rm(aside, { recursive: true, force: true });
  return moved;
}
