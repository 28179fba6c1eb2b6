// NIMLET_DOWNLOAD_CONNECTIONS and NIMLET_MAX_CONNECTIONS: defaults, accepted values, and every bad one a 78 naming it.
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { NimletError } from '../../src/errors.js';

const read = (env: Record<string, string>) => readSettings({ HOME: '/tmp', ...env }, '/').downloads;

function refusal(env: Record<string, string>): NimletError {
  try {
    read(env);
  } catch (e) {
    if (e instanceof NimletError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('download connections', () => {
  it('defaults: 16 per file, 16 in all', () => {
    expect(read({})).toMatchObject({ connections: 16, maxConnections: 16 });
  });

  it.each<[Record<string, string>, { connections: number; maxConnections: number }]>([
    [{ NIMLET_DOWNLOAD_CONNECTIONS: '1' }, { connections: 1, maxConnections: 16 }],
    [{ NIMLET_DOWNLOAD_CONNECTIONS: ' 64 ' }, { connections: 64, maxConnections: 64 }],
    [{ NIMLET_DOWNLOAD_CONNECTIONS: '8', NIMLET_MAX_CONNECTIONS: '8' }, { connections: 8, maxConnections: 8 }],
    [{ NIMLET_MAX_CONNECTIONS: '200' }, { connections: 16, maxConnections: 200 }],
    [{ NIMLET_DOWNLOAD_CONNECTIONS: '' }, { connections: 16, maxConnections: 16 }],
  ])('%j', (env, want) => {
    expect(read(env)).toMatchObject(want);
  });

  it.each<[string, string]>([
    ['NIMLET_DOWNLOAD_CONNECTIONS', '0'],
    ['NIMLET_DOWNLOAD_CONNECTIONS', '65'],
    ['NIMLET_DOWNLOAD_CONNECTIONS', 'many'],
    ['NIMLET_DOWNLOAD_CONNECTIONS', '-4'],
    ['NIMLET_DOWNLOAD_CONNECTIONS', '4.5'],
    ['NIMLET_MAX_CONNECTIONS', '0'],
    ['NIMLET_MAX_CONNECTIONS', '1025'],
    ['NIMLET_MAX_CONNECTIONS', '1e3'],
  ])('%s=%s: exit 78 naming it', (name, value) => {
    const e = refusal({ [name]: value });
    expect(e.exitCode).toBe(78);
    expect(e.message).toContain(name);
    expect(e.hint).toBeTruthy();
  });

  it('a global cap below the per-file count: 78 naming both', () => {
    const e = refusal({ NIMLET_DOWNLOAD_CONNECTIONS: '16', NIMLET_MAX_CONNECTIONS: '8' });
    expect(e.exitCode).toBe(78);
    expect(e.message).toContain('NIMLET_MAX_CONNECTIONS');
    expect(e.message).toContain('NIMLET_DOWNLOAD_CONNECTIONS');
  });
});
