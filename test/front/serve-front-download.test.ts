// The front during a download (DESIGN §11): live from the start, ready says "downloading" with the bytes so far
// (the server stalls half-way, so the test reads a fixed point), then "starting", then ready; the metrics count
// the bytes downloaded. SIGTERM during the download still stops it with 143.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedBody, hfFilePath, sha256Of, startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { manifestOf } from '../support/manifest.js';
import { frontSandbox, startServe, PROFILE_ID, readyOf, request, until } from './front-helpers.js';

const MiB = 1 << 20;
const SIZE = 4 * MiB;
const STALL = 2 * MiB;

let srv: ArtifactServer;
beforeAll(async () => {
  srv = await startArtifactServer();
});
afterAll(async () => {
  await srv.stop();
});

/** A profile of one SIZE-byte file that the server stops sending after STALL bytes, until `unstall()`. */
async function downloadSandbox(seed: number) {
  const path = hfFilePath({ org: 'acme', repo: 'front', revision: 'main', file: `m${seed}.safetensors` });
  const body = generatedBody(SIZE, seed);
  srv.add(path, body, { stallAfterBytes: STALL, stallTimes: Infinity });
  const files = { [`m${seed}.safetensors`]: { uri: `hf://acme/front:main?file=m${seed}.safetensors`, size: SIZE, sha256: await sha256Of(body) } };
  const f = await frontSandbox(manifestOf([{ id: PROFILE_ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files } }]));
  return { f, env: { ...f.env, HF_ENDPOINT: srv.url }, unstall: () => srv.add(path, body) };
}

describe('the front while the model downloads', () => {
  it('live 200 and ready "downloading" with bytes, then "starting", then 200; metrics count the bytes', async () => {
    const { f, env, unstall } = await downloadSandbox(1);
    // once unstalled, the silent connection is given up after 3 s and the rest fetched with a Range request
    const { child, done } = startServe(f, { ...env, NIMLET_HTTP_TIMEOUT_MS: '3000', NIMLET_DRAIN_DELAY_MS: '0' });
    // the readiness answers seen, for the message if the stall point is never seen
    const seen: unknown[] = [];
    const downloading = await until('bytes at the stall point', async () => {
      const r = await readyOf(f.base);
      if (JSON.stringify(r) !== JSON.stringify(seen.at(-1))) seen.push(r);
      const bytes = (r.json?.download as { bytes: number } | undefined)?.bytes ?? 0;
      return bytes > 0 && bytes <= STALL ? r : undefined;
    }, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; readiness said ${JSON.stringify(seen)}`);
    });
    expect(downloading).toEqual({ status: 503, json: { status: 'not ready', stage: 'downloading', detail: 'downloading the model', download: { bytes: expect.any(Number), totalBytes: SIZE } } });
    unstall();
    expect((await request(`${f.base}/v1/health/live`)).status).toBe(200);
    expect((await request(`${f.base}/v1/models`)).status).toBe(503); // nothing to proxy to yet
    const starting = await until('the engine to start', async () => {
      const r = await readyOf(f.base);
      return r.json?.stage === 'starting' ? r : undefined;
    });
    expect(starting.status).toBe(503);
    writeFileSync(f.healthFile, '');
    await until('ready', async () => ((await readyOf(f.base)).status === 200 ? true : undefined));
    expect((await request(`${f.base}/v1/metrics`)).body).toMatch(new RegExp(`^nimlet_download_bytes_total ${SIZE}$`, 'm'));
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('SIGTERM during the download: 143, the front closed', async () => {
    const { f, env } = await downloadSandbox(2);
    const { child, done } = startServe(f, env);
    await until('bytes at the stall point', async () => ((await readyOf(f.base)).json?.stage === 'downloading' ? true : undefined));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('interrupted by SIGTERM');
    expect((await request(`${f.base}/v1/health/live`)).status).toBe(0);
  });
});
