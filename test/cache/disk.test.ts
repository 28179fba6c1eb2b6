// Raw file-system errors met while filling the cache become errors a user can act on, with their exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFsError, ensureWritable } from '../../src/cache/disk.js';
import { cacheLayout } from '../../src/cache/layout.js';
import { NimletError } from '../../src/errors.js';

const layout = cacheLayout('/cache');
const fsError = (code: string, syscall = 'open', path = '/cache/locks/abc.lock') =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('cacheFsError', () => {
  it.each([
    ['ENOSPC', 'disk-full', 74, /no space left on the device under \/cache \(write \/cache\/blobs\/x\)/],
    ['EDQUOT', 'disk-full', 74, /no space left/],
    ['EACCES', 'cache-not-writable', 73, /cannot write in the cache: EACCES on \/cache\/blobs\/x/],
    ['EPERM', 'cache-not-writable', 73, /EPERM/],
    ['EROFS', 'cache-not-writable', 73, /EROFS/],
  ])('%s → %s (exit %i)', async (code, kind, exit, message) => {
    const e = await cacheFsError(fsError(code, 'write', '/cache/blobs/x'), layout);
    expect(e).toBeInstanceOf(NimletError);
    expect(e!.code).toBe(kind);
    expect(e!.exitCode).toBe(exit);
    expect(e!.message).toMatch(message);
    expect(e!.hint).toBeTruthy();
  });

  it('leaves alone what it cannot explain better: other codes, NimletErrors, non-errors', async () => {
    expect(await cacheFsError(fsError('ENOENT'), layout)).toBeNull();
    expect(await cacheFsError(fsError('EIO'), layout)).toBeNull();
    expect(await cacheFsError(new NimletError('io', 'x'), layout)).toBeNull();
    expect(await cacheFsError('ENOSPC', layout)).toBeNull();
  });

  it.each([
    ['EISDIR', 'copyfile', '/cache/blobs/sha256/abc', '/cache/tmp/ws-1-x/config.json', '/cache/blobs/sha256/abc'],
    ['EISDIR', 'rename', '/cache/tmp/write-1-x', '/cache/refs/uri/abc', '/cache/refs/uri/abc'],
    ['ENOTDIR', 'open', '/cache/partials/abc/x', undefined, '/cache/partials/abc/x'],
  ])('an entry of the wrong kind in the cache (%s on %s) → 74 naming it', async (code, syscall, from, to, named) => {
    const e = await cacheFsError(Object.assign(fsError(code, syscall, from), to === undefined ? {} : { dest: to }), layout);
    expect(e?.code).toBe('io');
    expect(e?.exitCode).toBe(74);
    expect(e?.message).toBe(`the cache is damaged: ${code} on ${syscall} ${named} (an entry of the wrong kind, not made by nimlet)`);
    expect(e?.hint).toContain(`remove ${named} and run again`);
  });

  it('a clash under tmp/ or outside the cache is no damage of the cache: left alone', async () => {
    // two manifest paths "a" and "a/b" clash while the workspace is built aside under tmp/
    expect(await cacheFsError(fsError('EEXIST', 'mkdir', '/cache/tmp/ws-1-x/a'), layout)).toBeNull();
    expect(await cacheFsError(fsError('EISDIR', 'open', '/elsewhere/x'), layout)).toBeNull();
  });
});

/** Mounts a read-only tmpfs on a new folder; null where this machine does not let the tests mount (not root…). */
function readOnlyMount(): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'nimlet-ro-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir]).status === 0) return dir;
  rmSync(dir, { recursive: true, force: true });
  return null;
}

const probeMount = readOnlyMount();
if (probeMount !== null) {
  spawnSync('umount', [probeMount]);
  rmSync(probeMount, { recursive: true, force: true });
}

describe.skipIf(probeMount === null)('ensureWritable on a read-only file system', () => {
  // Node's recursive mkdir reports ENOENT there; the user needs to hear EROFS (73), not "a bug in nimlet" (70).
  it.each([['the cache folder itself', ''], ['a cache folder to be made inside it', 'a/b']])('%s → 73 EROFS', async (_what, sub) => {
    const dir = readOnlyMount()!;
    try {
      const root = path.join(dir, sub);
      const e = await ensureWritable(cacheLayout(root)).then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(NimletError);
      expect(e).toMatchObject({ code: 'cache-not-writable', exitCode: 73, message: `cache folder ${root} is not writable (EROFS)` });
    } finally {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
