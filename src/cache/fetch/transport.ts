// Sends one HTTP request and hands back status, headers and the body stream. Two transports behind one shape:
// with a proxy configured, undici's EnvHttpProxyAgent (HTTP(S)_PROXY, NO_PROXY, CONNECT tunnels); without one,
// Node's own http/https client, which moves bulk bytes about twice as fast as undici on one core and with
// less memory (measured with bench/download.mjs: undici's WASM parser copies every chunk). Large bodies take
// raw-http.ts, which reads into reused 512 KiB buffers instead of a fresh 64 KiB one per read.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Env } from '../../config/env.js';
// the shape both transports share is declared beside the raw client, the lower of the two (no import loop)
import { sendRaw, type SendOptions, type Sent } from './raw-http.js';

export type { SendOptions, Sent };

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

/** True when any proxy variable is set: then undici decides, per URL, whether the proxy applies. */
export function proxyConfigured(env: Env): boolean {
  return ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'].some((v) => (env[v] ?? '').trim() !== '');
}

export function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function sendNode(url: string, o: SendOptions): Promise<Sent> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, {
      method: o.method, headers: o.headers, signal: o.signal, agent: u.protocol === 'https:' ? agents.https : agents.http,
    }, (res) => {
      clearTimeout(headDeadline);
      resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: flatHeaders(res.headers), body: res });
    });
    const timedOut = (message: string) => req.destroy(Object.assign(new Error(message), { code: 'ETIMEDOUT' }));
    // The socket's idle timer restarts on every read: it catches a body that stops flowing, but a server that
    // sends one header line now and then would never trip it. The whole head has a deadline of its own.
    req.setTimeout(o.stallTimeoutMs, () => timedOut(`no data for ${o.stallTimeoutMs} ms`));
    const headDeadline = setTimeout(() => timedOut(`no complete response head within ${o.stallTimeoutMs} ms`), o.stallTimeoutMs);
    req.on('error', (err) => {
      clearTimeout(headDeadline);
      reject(err);
    });
    req.end();
  });
}

/**
 * Node's parser refuses any repeated Content-Length, even "3700" twice, which proxies and CDNs send and RFC 9110
 * §8.6 lets a client read as one value. The bulk client reads it so (and names a truly bad one), so such an
 * answer is asked for again there: the same server then works for small files as it does for large ones.
 */
async function sendNodeOrRaw(url: string, o: SendOptions): Promise<Sent> {
  try {
    return await sendNode(url, o);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'HPE_UNEXPECTED_CONTENT_LENGTH' || o.signal.aborted) throw err;
    return sendRaw(url, o);
  }
}

let cached: { key: string; dispatcher: Dispatcher } | null = null;

/**
 * The client to the proxy itself, whose CONNECT is bounded. undici 7 (lib/dispatcher/proxy-agent.js, the connect
 * callback around `this[kClient].connect`) hands a CONNECT the proxy dropped to its Client as UND_ERR_SOCKET, which
 * lib/dispatcher/client.js `onError` does not fail the request for: it reconnects at once, for ever (~2,000
 * CONNECTs/s, undici #3897; fixed by PR #5441 only in undici 8, which needs Node 22). So a failed or unanswered
 * CONNECT (none within the stall timeout) is handed on as ECONNRESET / ETIMEDOUT: the request fails, and nimlet's own
 * retry loop (NIMLET_RETRY_ATTEMPTS, backoff, SIGTERM) decides what happens next — one CONNECT per attempt.
 */
function boundedProxyClient(Pool: typeof import('undici').Pool, stallTimeoutMs: number) {
  return (origin: URL, opts: object): Dispatcher => {
    const pool = new Pool(origin, opts);
    const connect = pool.connect.bind(pool) as (p: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
    (pool as unknown as { connect: typeof connect }).connect = async (params) => {
      const deadline = AbortSignal.timeout(stallTimeoutMs);
      try {
        return await connect({ ...params, signal: params.signal ? AbortSignal.any([params.signal as AbortSignal, deadline]) : deadline });
      } catch (err) {
        const timedOut = deadline.aborted;
        throw Object.assign(new Error(timedOut ? `the proxy did not answer CONNECT within ${stallTimeoutMs} ms` : `the proxy refused or dropped CONNECT (${(err as Error).message})`), {
          code: timedOut ? 'ETIMEDOUT' : 'ECONNRESET', cause: err,
        });
      }
    };
    return pool;
  };
}

/** One EnvHttpProxyAgent per process, rebuilt only when the proxy variables change (connections are reused). */
async function proxyDispatcher(env: Env, stallTimeoutMs: number): Promise<Dispatcher> {
  const key = [...PROXY_VARS.map((v) => env[v] ?? ''), stallTimeoutMs].join('\n');
  if (cached?.key === key) return cached.dispatcher;
  const { EnvHttpProxyAgent, Pool } = await import('undici');
  const pick = (lower: string, upper: string): string => env[lower] ?? env[upper] ?? '';
  // Options override process.env, so the caller's env (a command's, a test's) is the one obeyed.
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: pick('http_proxy', 'HTTP_PROXY'), httpsProxy: pick('https_proxy', 'HTTPS_PROXY'), noProxy: pick('no_proxy', 'NO_PROXY'),
    clientFactory: boundedProxyClient(Pool, stallTimeoutMs),
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
  const old = cached;
  cached = { key, dispatcher };
  if (old) void old.dispatcher.close().catch(() => undefined);
  return dispatcher;
}

async function sendUndici(url: string, o: SendOptions): Promise<Sent> {
  const { request } = await import('undici');
  // The whole head has a deadline of its own (as in sendNode): headersTimeout only starts once a request is written.
  // And undici defers an abort of a request still queued behind a connection being opened until that connection
  // exists (undici 7.30.2 lib/api/api-request.js:63-78: the reason waits for onConnect), so it is raced here instead.
  const head = new AbortController();
  const deadline = setTimeout(() => head.abort(Object.assign(new Error(`no complete response head within ${o.stallTimeoutMs} ms`), { code: 'ETIMEDOUT' })), o.stallTimeoutMs);
  const signal = AbortSignal.any([o.signal, head.signal]);
  const dispatcher = await proxyDispatcher(o.env, o.stallTimeoutMs);
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const sent = request(url, { method: o.method, headers: o.headers, dispatcher, signal, headersTimeout: o.stallTimeoutMs, bodyTimeout: o.stallTimeoutMs });
  try {
    const res = await Promise.race([sent, aborted]);
    return { status: res.statusCode, statusText: res.statusText, headers: flatHeaders(res.headers), body: res.body };
  } catch (err) {
    if (o.signal.aborted) {
      // interrupted (SIGTERM): a CONNECT still pending would hold the process open; every connection goes
      sent.then((r) => r.body.destroy(), () => undefined);
      if (cached?.dispatcher === dispatcher) cached = null;
      void dispatcher.destroy().catch(() => undefined);
    } else if (head.signal.aborted) {
      sent.then((r) => r.body.destroy(), () => undefined);
    }
    throw err;
  } finally {
    clearTimeout(deadline);
    signal.removeEventListener('abort', onAbort);
  }
}

export function send(url: string, o: SendOptions): Promise<Sent> {
  if (proxyConfigured(o.env)) return sendUndici(url, o);
  return o.bulk === true && o.method === 'GET' ? sendRaw(url, o) : sendNodeOrRaw(url, o);
}

/**
 * Reads and drops the rest of a body (redirects, errors) so the connection can be reused — but only a short,
 * prompt one: a body dripping a byte a second keeps the socket's idle timer alive for ever, so after `withinMs`
 * or `maxBytes` it is destroyed instead (the connection is lost, the caller goes on).
 */
export function discardBody(body: Readable, withinMs = 2_000, maxBytes = 64 * 1024): Promise<void> {
  return new Promise((resolve) => {
    if (body.readableEnded || body.destroyed) return resolve();
    let seen = 0;
    const stop = (): void => {
      clearTimeout(timer);
      body.destroy();
      resolve();
    };
    const timer = setTimeout(stop, withinMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    body.on('end', done).on('error', done).on('close', done);
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) stop();
    });
    body.resume();
  });
}
