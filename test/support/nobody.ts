// The unprivileged user the root-only tests run nimlet as, and whether it can run this checkout at all.
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from './paths.js';

/** uid and gid of "nobody". */
export const NOBODY = 65534;

let nobodyProbe: string | null | undefined;

/**
 * Skips the calling test (its context's skip) when uid 65534 cannot run the built CLI from this checkout: a
 * checkout (or node) that other users may not read, e.g. one under /root, makes the child exit 1 before nimlet
 * starts, which a test expecting 73 or 0 would misread. Probed once, as root, with the cwd the tests run in.
 */
export function skipUnlessNobodyCanRun(skip: (note: string) => void): void {
  if (nobodyProbe === undefined) {
    const r = spawnSync(process.execPath, [BIN, '--version'], {
      cwd: ROOT, uid: NOBODY, gid: NOBODY, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 50_000,
    });
    // node's stack trace starts with a location; the line naming the error (EACCES on …) says more
    const lines = r.stderr.trim().split('\n');
    const why = r.error?.message ?? (lines.find((l) => /Error\b/.test(l)) ?? (lines[0] || `exit ${r.status ?? r.signal}`)).trim();
    nobodyProbe = r.status === 0 ? null : `uid ${NOBODY} cannot run ${BIN} (${why}): put the checkout where other users may read it`;
  }
  if (nobodyProbe !== null) skip(nobodyProbe);
}
