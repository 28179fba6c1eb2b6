// Shared by the front's tests: nimlet's serve with the stand-in OpenAI engine (test/fixtures/engines/
// fake-openai-engine) first on PATH as `vllm`, free ports on 127.0.0.1, and small HTTP clients.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { startNimlet, type CliResult as Result } from '../support/cli.js';
import { manifestOf } from '../support/manifest.js';
import { makeModelFolder, makeSandbox, type Sandbox } from '../support/sandbox.js';
import { readRecord } from '../support/engine-record.js';

const FAKE_OPENAI = fileURLToPath(new URL('../fixtures/engines/fake-openai-engine', import.meta.url));
export const PROFILE_ID = 'f00d'.padEnd(64, '3');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

export interface FrontSandbox {
  sb: Sandbox;
  env: Record<string, string>;
  port: number;
  enginePort: number;
  base: string;
  healthFile: string;
}

/** A sandbox whose `vllm` is the stand-in HTTP engine, with the front on and both ports free. */
export async function frontSandbox(manifestYaml?: string): Promise<FrontSandbox> {
  const sb = makeSandbox({ manifest: manifestYaml ?? manifestOf([{ id: PROFILE_ID, tags: { llm_engine: 'vllm', precision: 'bf16', tp: '1' } }]), engines: [] });
  symlinkSync(FAKE_OPENAI, path.join(sb.bin, 'vllm'));
  const [port, enginePort] = [await freePort(), await freePort()];
  const healthFile = path.join(sb.dir, 'engine-healthy');
  const env: Record<string, string> = {
    ...sb.env, NIMLET_FRONT: 'on', NIM_SERVER_PORT: String(port), NIMLET_ENGINE_PORT: String(enginePort),
    NIMLET_HEALTH_POLL_MS: '50', FAKE_ENGINE_HEALTH_FILE: healthFile,
  };
  if (manifestYaml === undefined) env.NIM_MODEL_NAME = makeModelFolder(sb);
  return { sb, env, port, enginePort, base: `http://127.0.0.1:${port}`, healthFile };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request; a refused connection resolves as status 0 (nimlet not listening yet, or any more). */
export function request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(init.body);
  });
}

export const readyOf = async (base: string): Promise<{ status: number; json: Record<string, unknown> | null }> => {
  const r = await request(`${base}/v1/health/ready`);
  return { status: r.status, json: r.status === 0 ? null : (JSON.parse(r.body) as Record<string, unknown>) };
};

/** A streamed chat completion: `onEvent` sees each SSE event as it arrives; resolves with all of them. */
export function streamChat(base: string, maxTokens: number, onEvent: (data: string, req: http.ClientRequest) => void = () => {}): { req: http.ClientRequest; events: Promise<string[]> } {
  const body = JSON.stringify({ model: 'store', stream: true, max_tokens: maxTokens, messages: [{ role: 'user', content: 'hi' }] });
  const req = http.request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false });
  const events = new Promise<string[]>((resolve, reject) => {
    req.on('response', (res) => {
      const got: string[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const data = buf.slice(0, i).replace(/^data: /, '');
          buf = buf.slice(i + 2);
          got.push(data);
          onEvent(data, req);
        }
      });
      res.on('end', () => resolve(got));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.end(body);
  return { req, events };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** nimlet serve as a child process, killed with its engine after the test if it is still running then. */
export function startServe(f: FrontSandbox, env: Record<string, string>, args = ['serve']): { child: ChildProcess; done: Promise<Result> } {
  const run = startNimlet(args, env);
  // a test that failed half-way must not leave nimlet and its engine (its own process group) running; bound to the
  // test, not a module-level afterEach, which runs for only the first file of a worker that shares modules
  onTestFinished(() => {
    const { child } = run;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    const engine = (readRecord(f.sb.record) as unknown as { event: string; pid?: number }[]).find((e) => e.event === 'start');
    try {
      if (engine?.pid !== undefined) process.kill(engine.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return run;
}
