// `serve` and the cache: SIGTERM during a download → 143 with the cache consistent, and the next start completes
// the download without fetching a byte twice beyond one chunk; NIM_MODEL_NAME (a store from create-model-store)
// serves with no download and no network request.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedBody, hfFilePath, sha256Of, startArtifactServer, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { readRecord, waitFor } from '../engine/fake-engine-env.js';
import { makeSandbox, manifestOf, runNimlet, startNimlet } from './serve-helpers.js';

const ID = 'd0d0'.padEnd(64, '2');
const MiB = 1 << 20;
const SIZE = 24 * MiB;

let srv: ArtifactServer;
beforeAll(async () => {
  srv = await startArtifactServer();
});
afterAll(async () => {
  await srv.stop();
});

async function manifestFor(file: string, size: number, seed: number): Promise<string> {
  const body = generatedBody(size, seed);
  srv.add(hfFilePath({ org: 'acme', repo: 'big', revision: 'main', file }), body, { rateBytesPerSec: 12 * MiB });
  const files = {
    [file]: { uri: `hf://acme/big:main?file=${file}`, size, sha256: await sha256Of(body) },
    'config.json': { uri: 'hf://acme/big:main?file=config.json', size: 2 },
  };
  srv.add(hfFilePath({ org: 'acme', repo: 'big', revision: 'main', file: 'config.json' }), generatedBody(2, 9));
  return manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files } }]);
}

describe('serve downloads, and stops cleanly on SIGTERM', () => {
  it('SIGTERM mid-download → 143; the next serve completes it, no byte fetched twice beyond one chunk', async () => {
    const sb = makeSandbox(await manifestFor('model-a.safetensors', SIZE, 1));
    const env = { ...sb.env, HF_ENDPOINT: srv.url, FAKE_ENGINE_MODE: 'exit' };
    srv.reset();
    const { child, done } = startNimlet(['serve'], env);
    let ended: Awaited<typeof done> | undefined;
    void done.then((r) => (ended = r));
    await waitFor(() => (ended || srv.stats().bytesSent >= 6 * MiB ? true : undefined), 30_000);
    expect(ended).toBeUndefined();
    child.kill('SIGTERM');
    const first = await done;
    expect(first.code).toBe(143);
    expect(first.stderr).toContain('interrupted by SIGTERM');
    expect(readRecord(sb.record)).toEqual([]); // the engine never started
    const workspace = path.join(sb.cache, 'profiles', ID);
    expect(existsSync(path.join(workspace, '.nimlet-complete'))).toBe(false);
    const firstBytes = srv.stats().bytesSent;
    expect(firstBytes).toBeLessThan(SIZE);

    srv.reset();
    const second = await runNimlet(['serve'], env);
    expect(second.stderr).toContain(`nimlet: starting vllm with profile ${ID}`);
    expect(second.code).toBe(0);
    const secondBytes = srv.stats().bytesSent;
    console.info(`first run ${firstBytes} bytes, second run ${secondBytes} bytes, file ${SIZE + 2} bytes`);
    expect(firstBytes + secondBytes).toBeLessThanOrEqual(SIZE + 2 + MiB);
    const [start] = readRecord(sb.record);
    expect(start?.args?.[1]).toBe(workspace);
    expect(readFileSync(path.join(workspace, 'model-a.safetensors')).length).toBe(SIZE);
  });

  it('SIGINT mid-download → 130, nothing published', async () => {
    const sb = makeSandbox(await manifestFor('model-c.safetensors', SIZE, 3));
    srv.reset();
    const { child, done } = startNimlet(['serve'], { ...sb.env, HF_ENDPOINT: srv.url, FAKE_ENGINE_MODE: 'exit' });
    let ended: Awaited<typeof done> | undefined;
    void done.then((r) => (ended = r));
    await waitFor(() => (ended || srv.stats().bytesSent >= 2 * MiB ? true : undefined), 30_000);
    expect(ended).toBeUndefined();
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('nimlet: interrupted by SIGINT: stopped before the engine started\n');
    expect(existsSync(path.join(sb.cache, 'profiles', ID, '.nimlet-complete'))).toBe(false);
    expect(readRecord(sb.record)).toEqual([]);
  });

  it('NIM_MODEL_NAME = a store from create-model-store: no download, no network request', async () => {
    const sb = makeSandbox(await manifestFor('model-b.safetensors', 2 * MiB, 2));
    const env = { ...sb.env, HF_ENDPOINT: srv.url, FAKE_ENGINE_MODE: 'exit' };
    const store = path.join(sb.dir, 'store');
    const made = await runNimlet(['create-model-store', '--profile', ID, '--model-store', store], env);
    expect(made.code).toBe(0);
    srv.reset();
    const r = await runNimlet(['serve'], { ...env, NIM_MODEL_NAME: store, NIM_CACHE_PATH: path.join(sb.dir, 'empty-cache') });
    expect(r.code).toBe(0);
    expect(srv.requests()).toEqual([]);
    expect(readRecord(sb.record)[0]?.args?.[1]).toBe(store);
    expect(existsSync(path.join(sb.dir, 'empty-cache', 'profiles'))).toBe(false);
  });
});
