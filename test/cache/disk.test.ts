// Raw file-system errors met while filling the cache become errors a user can act on, with their exit codes.
import { describe, expect, it } from 'vitest';
import { cacheFsError } from '../../src/cache/disk.js';
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
  ])('%s → %s (exit %i)', (code, kind, exit, message) => {
    const e = cacheFsError(fsError(code, 'write', '/cache/blobs/x'), layout);
    expect(e).toBeInstanceOf(NimletError);
    expect(e!.code).toBe(kind);
    expect(e!.exitCode).toBe(exit);
    expect(e!.message).toMatch(message);
    expect(e!.hint).toBeTruthy();
  });

  it('leaves alone what it cannot explain better: other codes, NimletErrors, non-errors', () => {
    expect(cacheFsError(fsError('ENOENT'), layout)).toBeNull();
    expect(cacheFsError(fsError('EIO'), layout)).toBeNull();
    expect(cacheFsError(new NimletError('io', 'x'), layout)).toBeNull();
    expect(cacheFsError('ENOSPC', layout)).toBeNull();
  });
});
