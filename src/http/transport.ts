// Sends one HTTP request and hands back status, headers and the body stream. Two transports, one per case and no
// fallback from one into the other: through a proxy, undici's EnvHttpProxyAgent (HTTP(S)_PROXY, NO_PROXY, CONNECT
// tunnels); direct, raw-http.ts for every request (large bodies, small files, HEAD). Measured with
// bench/download.mjs, Node's http moved bulk bytes about twice as fast as undici on one core (undici's WASM parser
// copies every chunk), and raw-http beats Node's http by reading into reused buffers instead of a fresh 64 KiB one
// per read. It also reads a Content-Length a proxy or CDN repeated ("3700, 3700", RFC 9110 §8.6) as one value,
// which undici 7.30.2 (UND_ERR_RES_CONTENT_LENGTH_MISMATCH) and Node's http (HPE_UNEXPECTED_CONTENT_LENGTH) refuse:
// direct small files once took Node's http and fell back to raw-http on that error; now there is no second path.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ProxySettings } from '../config/downloads.js';
import { sendRaw, type RawOptions, type Sent } from './raw-http.js';

export type { Sent } from './raw-http.js';

export interface SendOptions extends RawOptions {
  /** settings.downloads.proxy: null sends direct; else undici decides, per URL (NO_PROXY), whether the proxy applies. */
  proxy: ProxySettings | null;
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
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

/** One EnvHttpProxyAgent per process, rebuilt only when the proxy settings change (connections are reused). */
async function proxyDispatcher(proxy: ProxySettings, stallTimeoutMs: number): Promise<Dispatcher> {
  const key = [proxy.httpProxy, proxy.httpsProxy, proxy.noProxy, stallTimeoutMs].join('\n');
  if (cached?.key === key) return cached.dispatcher;
  const { EnvHttpProxyAgent, Pool } = await import('undici');
  // Options given win over the environment undici would read (undici 7.30.2
  // lib/dispatcher/env-http-proxy-agent.js:26,33,113), so the settings the command checked are the ones obeyed.
  const dispatcher = new EnvHttpProxyAgent({
    ...proxy,
    clientFactory: boundedProxyClient(Pool, stallTimeoutMs),
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
  const old = cached;
  cached = { key, dispatcher };
  if (old) void old.dispatcher.close().catch(() => undefined);
  return dispatcher;
}

async function sendUndici(url: string, o: SendOptions, proxy: ProxySettings): Promise<Sent> {
  const { request } = await import('undici');
  // The whole head has a deadline of its own (as in sendRaw): headersTimeout only starts once a request is written.
  // And undici defers an abort of a request still queued behind a connection being opened until that connection
  // exists (undici 7.30.2 lib/api/api-request.js:63-78: the reason waits for onConnect), so it is raced here instead.
  const head = new AbortController();
  const deadline = setTimeout(() => head.abort(Object.assign(new Error(`no complete response head within ${o.stallTimeoutMs} ms`), { code: 'ETIMEDOUT' })), o.stallTimeoutMs);
  const signal = AbortSignal.any([o.signal, head.signal]);
  const dispatcher = await proxyDispatcher(proxy, o.stallTimeoutMs);
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
  return o.proxy === null ? sendRaw(url, o) : sendUndici(url, o, o.proxy);
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
