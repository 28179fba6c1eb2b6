// The completion marker of a published workspace: written last, so a folder without it (a crash between the
// rename and the marker) is never taken for whole. It records what was published, for `cache verify`.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Profile } from '../manifest/types.js';
import { cacheLayout, COMPLETE_MARKER, workspacePath } from './layout.js';

const TreeEntrySchema = z.object({ path: z.string(), size: z.number(), sha256: z.string().nullable(), link: z.string().optional() });

export const MarkerSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  name: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      /** sha256 of the blob (the archive, for an extracted folder). */
      sha256: z.string(),
      size: z.number(),
      extract: z.boolean(),
      tree: z.array(TreeEntrySchema).optional(),
    }),
  ),
  completedAt: z.string(),
});

export type Marker = z.infer<typeof MarkerSchema>;

export async function readMarker(workspace: string): Promise<Marker | null> {
  try {
    const parsed = MarkerSchema.safeParse(JSON.parse(await readFile(path.join(workspace, COMPLETE_MARKER), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Does the marker describe this profile's current files (a manifest that changed a file's sha256 does not match)? */
export function markerMatches(marker: Marker, profile: Profile): boolean {
  if (marker.id !== profile.id || marker.files.length !== profile.files.length) return false;
  const byPath = new Map(marker.files.map((f) => [f.path, f]));
  return profile.files.every((f) => {
    const m = byPath.get(f.path);
    return m !== undefined && m.extract === f.extract && (f.sha256 === null || f.sha256 === m.sha256) && (f.size === null || f.extract || f.size === m.size);
  });
}

/** The published, complete workspace of `profile` under `cacheDir`, or null. No network, no lock. */
export async function findCompleteWorkspace(profile: Profile, cacheDir: string): Promise<string | null> {
  const dir = workspacePath(cacheLayout(cacheDir), profile.id);
  const marker = await readMarker(dir);
  if (marker === null || !markerMatches(marker, profile)) return null;
  // Someone may have deleted files by hand: a workspace missing a file is not complete.
  for (const f of marker.files) {
    if (!(await lstat(path.join(dir, f.path)).then(() => true, () => false))) return null;
  }
  return dir;
}
