// The engine's version for /v1/metadata, asked once when it first turns healthy.
import { askEngine } from './engine-ask.js';
import type { Upstream } from './proxy.js';

/** vLLM and SGLang answer `GET /version` with `{"version": "…"}`; anything else is no version. */
export async function askEngineVersion(upstream: Upstream): Promise<string | null> {
  try {
    const { status, body } = await askEngine(upstream, '/version', 2000, 64 * 1024);
    const v = (JSON.parse(body.toString('utf8')) as { version?: unknown }).version;
    return status === 200 && typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
