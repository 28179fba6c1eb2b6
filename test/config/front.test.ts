import { describe, expect, it } from 'vitest';
import { readFrontSettings, readServerPort } from '../../src/config/front.js';
import { NimletError } from '../../src/errors.js';

describe('the front settings', () => {
  it.each([
    [{}, 8000],
    [{ NIM_SERVER_PORT: '9000' }, 9000],
    [{ NIM_HTTP_API_PORT: '9001' }, 9001],
    [{ NIM_SERVER_PORT: '9002', NIM_HTTP_API_PORT: '9002' }, 9002],
  ])('%o serves on %i', (env, port) => {
    expect(readServerPort(env)).toBe(port);
  });

  it('NIM_SERVER_PORT and NIM_HTTP_API_PORT that disagree: 78, naming both', () => {
    const err = (() => {
      try {
        readServerPort({ NIM_SERVER_PORT: '8000', NIM_HTTP_API_PORT: '8080' });
      } catch (e) {
        return e as NimletError;
      }
    })();
    expect(err?.exitCode).toBe(78);
    expect(err?.message).toBe('NIM_SERVER_PORT=8000 and NIM_HTTP_API_PORT=8080 disagree: both name the port nimlet serves on');
    expect(err?.hint).toBe('set one of them, or both to the same port');
  });

  it('defaults, and each knob read', () => {
    expect(readFrontSettings({})).toEqual({ enabled: true, enginePort: 0, drainDelayMs: 5000, drainTimeoutMs: 15_000, killAfterMs: 8000, healthPollMs: 1000, tls: null, cors: null });
    expect(readFrontSettings({
      NIMLET_FRONT: 'off', NIMLET_ENGINE_PORT: '18000', NIMLET_DRAIN_DELAY_MS: '0', NIMLET_DRAIN_TIMEOUT_MS: '1', NIMLET_ENGINE_KILL_AFTER_MS: '2', NIMLET_HEALTH_POLL_MS: '50',
    })).toEqual({ enabled: false, enginePort: 18000, drainDelayMs: 0, drainTimeoutMs: 1, killAfterMs: 2, healthPollMs: 50, tls: null, cors: null });
  });

  it.each([['NIMLET_FRONT', 'maybe'], ['NIMLET_ENGINE_PORT', '70000'], ['NIMLET_DRAIN_DELAY_MS', '-1'], ['NIMLET_HEALTH_POLL_MS', '5']])('%s=%s: 78 naming it', (name, value) => {
    expect(() => readFrontSettings({ [name]: value })).toThrow(new RegExp(`^${name}="${value}" is not valid`));
  });
});

describe('NIM_SSL_MODE', () => {
  it.each([
    [{}, null],
    [{ NIM_SSL_MODE: 'disabled' }, null],
    [{ NIM_SSL_MODE: 'TLS', NIM_SSL_CERTS_PATH: '/c.pem', NIM_SSL_KEY_PATH: '/k.pem' }, { mode: 'TLS', certPath: '/c.pem', keyPath: '/k.pem', caPath: null }],
    [{ NIM_SSL_MODE: 'mtls', NIM_SSL_CERTS_PATH: '/c.pem', NIM_SSL_KEY_PATH: '/k.pem', NIM_SSL_CA_CERTS_PATH: '/ca.pem' }, { mode: 'MTLS', certPath: '/c.pem', keyPath: '/k.pem', caPath: '/ca.pem' }],
  ])('%o → %o', (env, tls) => {
    expect(readFrontSettings(env).tls).toEqual(tls);
  });

  it.each([
    [{ NIM_SSL_MODE: 'SSL' }, 'NIM_SSL_MODE="SSL" is not valid: expected DISABLED, TLS or MTLS'],
    [{ NIM_SSL_MODE: 'TLS', NIM_SSL_KEY_PATH: '/k.pem' }, 'NIM_SSL_MODE=TLS needs NIM_SSL_CERTS_PATH'],
    [{ NIM_SSL_MODE: 'MTLS', NIM_SSL_CERTS_PATH: '/c.pem', NIM_SSL_KEY_PATH: '/k.pem' }, 'NIM_SSL_MODE=MTLS needs NIM_SSL_CA_CERTS_PATH'],
  ])('%o: 78, %s', (env, message) => {
    expect(() => readFrontSettings(env)).toThrow(message);
  });
});
