// file:// sources and paths beside the manifest: copied into the partial file with the same hashing writer,
// so they are verified exactly like downloads. No network.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { NimletError } from '../../errors.js';
import { inlineHash, TooManyBytes, WriteFailed, writeHashed } from './hashing-writer.js';
import { interruptedError, writeError } from './failures.js';
import type { Settings } from '../../config/env.js';

export interface FileCopy {
  path: string;
  partialPath: string;
  label: string;
  expectedSize: number | null;
  settings: Settings;
  signal: AbortSignal;
  onBytes: (n: number) => void;
}

/** Copies the whole file (a local copy is cheap: no resume); returns its length and sha256. */
export async function copyFileSource(c: FileCopy): Promise<{ bytes: number; sha256: string; tooMany: boolean }> {
  try {
    const st = await stat(c.path);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NimletError('not-found', `${c.path} not found for ${c.label}`, {
        hint: "check the manifest's file:// or relative path (relative paths start at the manifest's folder)",
      });
    }
    throw new NimletError('io', `cannot read ${c.path} for ${c.label}: ${code ?? (err as Error).message}`, {
      hint: 'the source must be a readable regular file',
    });
  }
  const hash = createHash('sha256');
  let added = 0;
  try {
    await writeHashed(createReadStream(c.path, { highWaterMark: 1024 * 1024 }), {
      path: c.partialPath, from: 0, hash: inlineHash(hash), limit: c.expectedSize, signal: c.signal,
      onBytes: c.onBytes, onWritten: (n) => void (added += n),
    });
    return { bytes: added, sha256: hash.digest('hex'), tooMany: false };
  } catch (err) {
    if (c.signal.aborted) throw interruptedError(c.label);
    if (err instanceof TooManyBytes) return { bytes: added, sha256: hash.digest('hex'), tooMany: true };
    if (err instanceof WriteFailed) throw writeError(err.original, c.partialPath, c.label, c.settings);
    const e = err as NodeJS.ErrnoException;
    throw new NimletError('io', `cannot read ${c.path} for ${c.label}: ${e.code ?? e.message}`, {
      hint: 'the source file could not be read to the end; check the disk or mount it comes from',
    });
  }
}
