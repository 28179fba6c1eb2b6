// Doctor: the cache folder can be written, and how much room its file system has.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diskSpace } from '../facts.js';
import { formatBytes } from '../../format-bytes.js';
import { check, type Check } from './check.js';

/** Below this much free space a real model will not fit. */
const LOW_SPACE_BYTES = 20 * 1024 ** 3;

export async function checkCache(dir: string): Promise<Check[]> {
  const probe = path.join(dir, `.nimlet-doctor-${process.pid}-${randomBytes(4).toString('hex')}`);
  let writable: Check;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'ok');
    writable = check('cache', 'ok', `${dir} is writable`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    writable = check('cache', 'fail', `${dir} is not writable (${code})`,
      'set NIM_CACHE_PATH (or --cache) to a writable folder; in a container, mount a volume there owned by the container user');
  } finally {
    // A cache path under a file (ENOTDIR) cannot hold the probe either: nothing to remove then.
    await rm(probe, { force: true }).catch(() => undefined);
  }
  const space = await diskSpace(dir);
  if (space === null) return [writable, check('disk', 'warn', `cannot measure the free space of ${dir}`)];
  const detail = `${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)} on the file system of ${space.checkedDir}`;
  const disk = space.freeBytes < LOW_SPACE_BYTES
    ? check('disk', 'warn', detail, `model profiles often need tens of GiB: free space, or point NIM_CACHE_PATH at a larger volume`)
    : check('disk', 'ok', detail);
  return [writable, disk];
}
