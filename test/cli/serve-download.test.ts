// `serve` and the cache: SIGTERM during a download → 143 with the cache consistent, and the next start completes
// the download fetching only the bytes the partial lacks; NIM_MODEL_NAME (a store from create-model-store)
// serves with no download and no network request.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generatedBody, hfFilePath, sha256Of, startArtifactServer, type ArtifactServer, type Faults,
} from '../fixtures/servers/artifact-server.js';
import { readRecord, waitFor } from '../support/engine-record.js';
import { nimlet, startNimlet } from '../support/cli.js';
import { manifestOf } from '../support/manifest.js';
import { makeSandbox } from '../support/sandbox.js';

const ID = 'd0d0'.padEnd(64, '2');
const MiB = 1 << 20;
const SIZE = 24 * MiB;
/** nimlet's writer appends to the partial in batches of at least this much (src/cache/fetch/hashing-writer.ts). */
const WRITE_BATCH = MiB;

let srv: ArtifactServer;
beforeAll(async () => {
  srv = await startArtifactServer();
});
afterAll(async () => {
  await srv.stop();
});

const modelPath = (file: string): string => hfFilePath({ org: 'acme', repo: 'big', revision: 'main', file });

/** A one-profile manifest with `file` (served with `faults`) and a 2-byte config.json; `sha` names its partial. */
async function manifestFor(file: string, size: number, seed: number, faults: Faults = {}): Promise<{ yaml: string; sha: string }> {
  const body = generatedBody(size, seed);
  const sha = await sha256Of(body);
  srv.add(modelPath(file), body, faults);
  const files = {
    [file]: { uri: `hf://acme/big:main?file=${file}`, size, sha256: sha },
    'config.json': { uri: 'hf://acme/big:main?file=config.json', size: 2 },
  };
  srv.add(modelPath('config.json'), generatedBody(2, 9));
  return { yaml: manifestOf([{ id: ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' }, workspace: { files } }]), sha };
}

/** The published workspaces (those with a completion marker) under the cache's profiles/. */
function completeWorkspaces(cache: string): string[] {
  const profiles = path.join(cache, 'profiles');
  if (!existsSync(profiles)) return [];
  return readdirSync(profiles).map((n) => path.join(profiles, n)).filter((d) => existsSync(path.join(d, '.nimlet-complete')));
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** Body bytes the server has handed over for `file` since the last reset. */
function sentFor(file: string): number {
  return srv.requests().filter((r) => r.path.startsWith(modelPath(file))).reduce((n, r) => n + r.bytesSent, 0);
}

describe('serve downloads, and stops cleanly on SIGTERM', () => {
  it('SIGTERM mid-download → 143; the next serve completes it, fetching only the bytes the partial lacks', async () => {
    const STALL = 6 * MiB;
    // The server stops after STALL bytes and holds the connection open, so the download cannot finish before
    // the signal lands, however slow the machine (nimlet's own stall timeout is 60 s).
    const { yaml, sha } = await manifestFor('model-a.safetensors', SIZE, 1, { stallAfterBytes: STALL });
    const sb = makeSandbox({ manifest: yaml });
    const env = { ...sb.env, HF_ENDPOINT: srv.url, FAKE_ENGINE_MODE: 'exit', NIMLET_DOWNLOAD_CONNECTIONS: '1' }; // one stream: the resume pinned below
    const partial = path.join(sb.cache, 'partials', sha);
    srv.reset();
    const { child, done } = startNimlet(['serve'], env);
    let ended: Awaited<typeof done> | undefined;
    void done.then((r) => (ended = r));
    // Once everything sent has been read, at most one unwritten batch is left in nimlet's memory: the partial
    // then holds more than STALL - WRITE_BATCH. nimlet writes that batch too when interrupted.
    await waitFor(() => (ended || (sentFor('model-a.safetensors') === STALL && sizeOf(partial) > STALL - WRITE_BATCH) ? true : undefined), 30_000);
    expect(ended).toBeUndefined();
    child.kill('SIGTERM');
    const first = await done;
    expect(first.code).toBe(143);
    expect(first.stderr).toContain('interrupted by SIGTERM');
    expect(readRecord(sb.record)).toEqual([]); // the engine never started
    expect(completeWorkspaces(sb.cache)).toEqual([]);
    const kept = sizeOf(partial);
    expect(kept).toBeGreaterThan(STALL - WRITE_BATCH);
    expect(kept).toBeLessThanOrEqual(STALL);
    // config.json (2 bytes, no sha256 in the manifest) may have been published, or caught by the signal as a
    // partial of its own (the other name under partials/), whole or not.
    const configSha = await sha256Of(generatedBody(2, 9));
    const configDone = existsSync(path.join(sb.cache, 'blobs', 'sha256', configSha));
    const configPartial = readdirSync(path.dirname(partial)).find((f) => f !== sha);
    const configKept = configPartial === undefined ? 0 : sizeOf(path.join(path.dirname(partial), configPartial));

    // The same bytes again, without the stall (reset() alone would re-arm it).
    srv.add(modelPath('model-a.safetensors'), generatedBody(SIZE, 1));
    srv.reset();
    const second = await nimlet(['serve'], env, { real: true });
    expect(second.stderr).toContain(`nimlet: starting vllm with profile ${ID}`);
    expect(second.code).toBe(0);
    // Each file is asked for from the end of its partial on, once: no byte kept is fetched again.
    const requested = (file: string) => srv.requests().filter((r) => r.path.startsWith(modelPath(file))).map((r) => [r.headers.range, r.bytesSent]);
    expect(requested('model-a.safetensors')).toEqual([[`bytes=${kept}-`, SIZE - kept]]);
    expect(requested('config.json')).toEqual(configDone ? [] : [[configKept > 0 ? `bytes=${configKept}-` : undefined, 2 - configKept]]);
    expect(srv.stats()).toMatchObject({ requests: configDone ? 1 : 2, bytesSent: SIZE - kept + (configDone ? 0 : 2 - configKept) });
    const [start] = readRecord(sb.record);
    const [workspace = 'none published'] = completeWorkspaces(sb.cache);
    expect(start?.args?.[1]).toBe(workspace);
    expect(readFileSync(path.join(workspace, 'model-a.safetensors')).length).toBe(SIZE);
    expect(existsSync(partial)).toBe(false);
  });

  it('SIGINT mid-download → 130, nothing published', async () => {
    // Stalled after 2 MiB: still downloading when the signal lands.
    const { yaml } = await manifestFor('model-c.safetensors', SIZE, 3, { stallAfterBytes: 2 * MiB });
    const sb = makeSandbox({ manifest: yaml });
    srv.reset();
    // One stream: the stall after 2 MiB is the first request's only (ranged, the others would carry on).
    const { child, done } = startNimlet(['serve'], { ...sb.env, HF_ENDPOINT: srv.url, FAKE_ENGINE_MODE: 'exit', NIMLET_DOWNLOAD_CONNECTIONS: '1' });
    let ended: Awaited<typeof done> | undefined;
    void done.then((r) => (ended = r));
    await waitFor(() => (ended || sentFor('model-c.safetensors') === 2 * MiB ? true : undefined), 30_000);
    expect(ended).toBeUndefined();
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('nimlet: interrupted by SIGINT: stopped before the engine started\n');
    expect(completeWorkspaces(sb.cache)).toEqual([]);
    expect(readRecord(sb.record)).toEqual([]);
  });

  it('NIM_MODEL_NAME = a store from create-model-store: no download, no network request', async () => {
    const sb = makeSandbox({ manifest: (await manifestFor('model-b.safetensors', 2 * MiB, 2)).yaml });
    const env = { ...sb.env, HF_ENDPOINT: srv.url, FAKE_ENGINE_MODE: 'exit', NIMLET_DOWNLOAD_CONNECTIONS: '1' }; // one stream: the resume pinned below
    const store = path.join(sb.dir, 'store');
    const made = await nimlet(['create-model-store', '--profile', ID, '--model-store', store], env);
    expect(made.code).toBe(0);
    srv.reset();
    const r = await nimlet(['serve'], { ...env, NIM_MODEL_NAME: store, NIM_CACHE_PATH: path.join(sb.dir, 'empty-cache') }, { real: true });
    expect(r.code).toBe(0);
    expect(srv.requests()).toEqual([]);
    expect(readRecord(sb.record)[0]?.args?.[1]).toBe(store);
    expect(existsSync(path.join(sb.dir, 'empty-cache', 'profiles'))).toBe(false);
  });
});
