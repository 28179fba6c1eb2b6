// The engine's version for /v1/metadata, asked once when it first turns healthy.
import http from 'node:http';
import type { Upstream } from './proxy.js';

/** vLLM and SGLang answer `GET /version` with `{"version": "…"}`; anything else is no version. */
export function askEngineVersion(upstream: Upstream): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: upstream.host, port: upstream.port, path: '/version', agent: upstream.agent, timeout: 2000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          const v = (JSON.parse(text) as { version?: unknown }).version;
          resolve(res.statusCode === 200 && typeof v === 'string' ? v : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}
