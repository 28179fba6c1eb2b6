// The benches' origin files: `size` random bytes written to `file`, returning their sha256 (what a manifest says).
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const MiB = 1024 * 1024;

export function generate(file, size) {
  const fd = openSync(file, 'w', 0o644);
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(16 * MiB, Math.max(1, size)));
  for (let left = size; left > 0; left -= buf.length) {
    const chunk = left >= buf.length ? buf : buf.subarray(0, left);
    randomFillSync(chunk);
    h.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return h.digest('hex');
}
