// Shared set-up for the fetch tests: settings pointing at a fake artifact server, fast retries, temp dirs.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RetryTuning } from '../../../src/config/downloads.js';
import { readSettings, type Settings } from '../../../src/config/env.js';
import type { Env } from '../../../src/config/read.js';
import { NimletError } from '../../../src/errors.js';
import type { FetchRequest } from '../../../src/cache/fetch/fetch-file.js';
import type { ParsedSource } from '../../../src/manifest/source-uri.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { hfFilePath, ngcFilePath, startArtifactServer, type ArtifactServer } from '../../fixtures/servers/artifact-server.js';

export const NGC_TOKEN = 'nvapi-SECRET-ngc-0123456789';
export const HF_TOKEN = 'hf_SECRET_hf_abcdefghijklmnop';

export const FAST: RetryTuning = { attempts: 5, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000, stallTimeoutMs: 5000 };

export function settingsFor(serverUrl: string, extra: Env = {}): Settings {
  return readSettings({
    HOME: os.tmpdir(), NIMLET_NGC_ENDPOINT: serverUrl, HF_ENDPOINT: serverUrl, NGC_API_KEY: NGC_TOKEN, HF_TOKEN, ...extra,
  }, '/');
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-fetch-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const ngcSource = (file: string): ParsedSource =>
  ({ kind: 'ngc', org: 'nim', team: 'meta', model: 'llama', version: '1.0', file });
export const hfSource = (file: string): ParsedSource => ({ kind: 'hf', org: 'acme', repo: 'tiny', revision: 'main', file });

/** A fetch of `source` with FAST retries (or `retry`) in the settings, as the CLI would pass them down. */
export function request(
  source: ParsedSource, partialPath: string, settings: Settings, { retry = FAST, ...over }: Partial<FetchRequest> & { retry?: RetryTuning } = {},
): FetchRequest {
  return {
    source, partialPath, settings: { ...settings, downloads: { ...settings.downloads, retry } }, expectedSha256: null, expectedSize: null,
    label: 'f (profile p)', signal: new AbortController().signal, ...over,
  };
}

/** The NimletError a promise rejects with; fails the test when it resolves or throws something else. */
export async function failure(p: Promise<unknown>): Promise<NimletError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NimletError) return err;
    throw new Error(`expected a NimletError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a failure, the promise resolved');
}

/** Everything an error could print: message, hint, details, cause (what -v shows), JSON. */
export function printable(e: NimletError): string {
  const cause = e.cause as Error | undefined;
  return [e.message, e.hint ?? '', ...e.details, JSON.stringify(e.toJSON()), cause?.message ?? '', cause?.stack ?? ''].join('\n');
}

/** The artifact-server paths the fetch tests use: one NGC model, one Hugging Face repo. */
export const ngcPath = (file: string): string => ngcFilePath({ org: 'nim', team: 'meta', model: 'llama', version: '1.0', file });
export const hfPath = (file: string): string => hfFilePath({ org: 'acme', repo: 'tiny', revision: 'main', file });

/**
 * One artifact server for a test file, reset after each test, and temp folders removed after the test that made
 * them. Call at the top level of the file.
 */
export function useArtifactServer(): { readonly srv: ArtifactServer; tempDir: typeof tempDir } {
  let srv: ArtifactServer | undefined;
  const made: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    srv = await startArtifactServer();
  });
  afterAll(() => srv?.stop());
  afterEach(async () => {
    srv?.reset();
    await Promise.all(made.splice(0).map((cleanup) => cleanup()));
  });
  return {
    get srv(): ArtifactServer {
      if (!srv) throw new Error('the artifact server starts in beforeAll');
      return srv;
    },
    async tempDir() {
      const t = await tempDir();
      made.push(t.cleanup);
      return t;
    },
  };
}
