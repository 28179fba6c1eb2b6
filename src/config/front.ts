// The front's settings (DESIGN §11): whether nimlet serves NIM's HTTP paths itself, where, and how it stops.
// Defaults fit Kubernetes' 30 s grace: 5 s for the Service to stop sending, 15 s for in-flight requests, then
// the engine gets SIGTERM and 8 s to exit before SIGKILL.
import { NimletError } from '../errors.js';
import { readFlag, readInt, type Env } from './env.js';

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
  };
}
