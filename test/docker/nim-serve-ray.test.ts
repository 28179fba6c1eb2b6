// docker/nim-serve-ray: the NIM Operator's Ray-mode arguments (nimservice-lws.yaml PART B) mapped onto nimlet's own
// multi-node mode where the image has `ray`, and refused with the reason where it does not (DESIGN §14). Run as
// the real script, with a stand-in `ray` and `nimlet` that record their arguments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../docker/nim-serve-ray', import.meta.url));

function sandbox(withRay: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimlet-ray-'));
  const log = path.join(dir, 'calls');
  const stub = (name: string) => writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n`, { mode: 0o755 });
  if (withRay) stub('ray');
  stub('nimlet');
  const run = (...args: string[]) => spawnSync('/bin/sh', [SCRIPT, ...args], { env: { PATH: `${dir}:/usr/bin:/bin`, NIMLET_BIN: path.join(dir, 'nimlet') }, encoding: 'utf8' });
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { run, calls };
}

describe('nim-serve-ray', () => {
  it('the leader: a Ray head on the operator\'s port, then nimlet serve', () => {
    const s = sandbox(true);
    expect(s.run('--head', '--port', '6379').status).toBe(0);
    expect(s.calls()).toEqual(['ray start --head --port=6379 --disable-usage-stats', 'nimlet serve']);
  });

  it('a worker: joins the leader\'s Ray head (so the operator\'s `ray status` probe passes), then nimlet serve', () => {
    const s = sandbox(true);
    expect(s.run('--head-address', 'llama-lws-0.llama-lws.default:6379').status).toBe(0);
    expect(s.calls()).toEqual(['ray start --address=llama-lws-0.llama-lws.default:6379 --disable-usage-stats', 'nimlet serve']);
  });

  it('no ray in the image: refused with what is unsupported and what to do, nothing started', () => {
    const s = sandbox(false);
    const r = s.run('--head', '--port', '6379');
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('the NIM Operator\'s Ray mode is not supported by this image: it has no `ray` command');
    expect(r.stderr).toContain('leave spec.multiNode.ray unset');
    expect(s.calls()).toEqual([]);
  });

  it('arguments it does not know are a usage error', () => {
    expect(sandbox(true).run('--worker').status).toBe(64);
    expect(sandbox(true).run('--head-address').status).toBe(64);
  });
});
