// The front's settings (DESIGN §11): whether nimlet serves NIM's HTTP paths itself, where, and how it stops.
// Defaults fit Kubernetes' 30 s grace: 5 s for the Service to stop sending, 15 s for in-flight requests, then
// the engine gets SIGTERM and 8 s to exit before SIGKILL.
import { NimletError } from '../errors.js';
import { readCorsPolicy, type CorsPolicy } from './cors.js';
import { readFlag, readInt, type Env } from './read.js';

export interface FrontSettings {
  /** NIMLET_FRONT (default on); off: the engine owns NIM_SERVER_PORT and replaces nimlet (DESIGN §8). */
  enabled: boolean;
  /** NIMLET_ENGINE_PORT: the engine's port on 127.0.0.1; 0 = a free port picked at start. */
  enginePort: number;
  /** NIMLET_DRAIN_DELAY_MS: after SIGTERM, new requests are still served this long (endpoints catch up). */
  drainDelayMs: number;
  /** NIMLET_DRAIN_TIMEOUT_MS: then in-flight requests get this long to finish before the engine is stopped. */
  drainTimeoutMs: number;
  /** NIMLET_ENGINE_KILL_AFTER_MS: SIGKILL for an engine still running this long after its SIGTERM. */
  killAfterMs: number;
  /** NIMLET_HEALTH_POLL_MS: how often the engine's /health is asked. */
  healthPollMs: number;
  /** NIM_SSL_MODE and its files: TLS (and client certificates for MTLS) terminated in the front. */
  tls: TlsSettings | null;
  /** NIM_CORS_*: null when NIM_CORS_ALLOW_ORIGINS is unset (nimlet adds no CORS headers). */
  cors: CorsPolicy | null;
}

export interface TlsSettings {
  mode: 'TLS' | 'MTLS';
  certPath: string;
  keyPath: string;
  /** The CAs client certificates must chain to (MTLS only). */
  caPath: string | null;
}

const SSL_MODES = ['DISABLED', 'TLS', 'MTLS'] as const;

/** NIM 2.x's NIM_SSL_MODE (DISABLED by default) with the files each mode needs, all named up front. */
export function readTlsSettings(env: Env): TlsSettings | null {
  const raw = env.NIM_SSL_MODE?.trim() ?? '';
  const mode = raw === '' ? 'DISABLED' : raw.toUpperCase();
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new NimletError('bad-config', `NIM_SSL_MODE=${JSON.stringify(raw)} is not valid: expected DISABLED, TLS or MTLS`, {
      hint: 'set NIM_SSL_MODE to DISABLED, TLS or MTLS, or unset it',
    });
  }
  if (mode === 'DISABLED') return null;
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) {
      throw new NimletError('bad-config', `NIM_SSL_MODE=${mode} needs ${name}`, {
        hint: `set ${name} to a PEM file${name === 'NIM_SSL_CA_CERTS_PATH' ? ' of the CAs that sign client certificates' : ''}, or set NIM_SSL_MODE=DISABLED`,
      });
    }
    return v;
  };
  return {
    mode: mode as 'TLS' | 'MTLS',
    certPath: need('NIM_SSL_CERTS_PATH'),
    keyPath: need('NIM_SSL_KEY_PATH'),
    caPath: mode === 'MTLS' ? need('NIM_SSL_CA_CERTS_PATH') : null,
  };
}

/** NIM_SERVER_PORT and its NIM 2.x twin NIM_HTTP_API_PORT: either one, or both when they agree. */
export function readServerPort(env: Env): number {
  const server = readInt(env, 'NIM_SERVER_PORT', 1, 65535);
  const api = readInt(env, 'NIM_HTTP_API_PORT', 1, 65535);
  if (server !== null && api !== null && server !== api) {
    throw new NimletError('bad-config', `NIM_SERVER_PORT=${server} and NIM_HTTP_API_PORT=${api} disagree: both name the port nimlet serves on`, {
      hint: 'set one of them, or both to the same port',
    });
  }
  return server ?? api ?? 8000;
}

export function readFrontSettings(env: Env): FrontSettings {
  const raw = env.NIMLET_FRONT;
  return {
    enabled: raw === undefined || raw.trim() === '' ? true : readFlag(env, 'NIMLET_FRONT'),
    enginePort: readInt(env, 'NIMLET_ENGINE_PORT', 0, 65535) ?? 0,
    drainDelayMs: readInt(env, 'NIMLET_DRAIN_DELAY_MS', 0, 600_000) ?? 5000,
    drainTimeoutMs: readInt(env, 'NIMLET_DRAIN_TIMEOUT_MS', 0, 3_600_000) ?? 15_000,
    killAfterMs: readInt(env, 'NIMLET_ENGINE_KILL_AFTER_MS', 0, 3_600_000) ?? 8000,
    healthPollMs: readInt(env, 'NIMLET_HEALTH_POLL_MS', 10, 60_000) ?? 1000,
    tls: readTlsSettings(env),
    cors: readCorsPolicy(env),
  };
}
