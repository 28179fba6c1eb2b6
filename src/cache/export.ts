// create-model-store: a published workspace copied out as plain files (real copies, never links into the
// cache), for air-gapped use with NIM_MODEL_NAME=DIR. Each file lands under a temporary name first and is
// renamed into place, so an interrupted export never leaves a truncated file under its real name.
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Marker } from './marker.js';

export async function exportWorkspace(workspace: string, marker: Marker, dest: string): Promise<{ files: number; bytes: number }> {
  await mkdir(dest, { recursive: true });
  let bytes = 0;
  for (const f of marker.files) {
    const target = path.join(dest, f.path);
    const tmp = path.join(path.dirname(target), `.nimlet-${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      if (f.extract) {
        // verbatimSymlinks: the tree's relative links stay relative (they were checked to stay inside it)
        await cp(path.join(workspace, f.path), tmp, { recursive: true, verbatimSymlinks: true });
        bytes += (f.tree ?? []).reduce((s, e) => s + e.size, 0);
      } else {
        await copyFile(path.join(workspace, f.path), tmp);
        await chmod(tmp, 0o644);
        bytes += f.size;
      }
      await rm(target, { recursive: true, force: true });
      await rename(tmp, target);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return { files: marker.files.length, bytes };
}
