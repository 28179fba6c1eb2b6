// The pass-through to the engine (DESIGN §11): request and response bodies are piped, never buffered, so an SSE
// event leaves as soon as the engine writes it and a slow reader slows the engine's socket (backpressure both
// ways); connections to the engine are kept alive; a client that goes away destroys the upstream request, which
// the engine sees as a closed connection and aborts the generation.
// node:http with a keep-alive Agent rather than undici: bench/front-proxies.mjs runs both on the same job; undici
// used slightly less CPU per token but fell behind at 512 streams (README, Performance).
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the message, and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  // a plain loop, and the Connection list split only when there is one: this runs once per proxied request
  const connection = headers.connection;
  const named = connection === undefined ? null : connection.split(',').map((s) => s.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && !HOP_BY_HOP.has(k) && !(named !== null && named.includes(k))) out[k] = v;
  }
  return out;
}

export interface Upstream {
  host: string;
  port: number;
  agent: http.Agent;
}

export function createUpstreamAgent(idleMs = 4000): http.Agent {
  // Up to 512+ concurrent streams: keep that many idle sockets rather than reopen them after a burst. An idle
  // socket is dropped after 4 s, before uvicorn (vLLM, SGLang, trtllm-serve) closes it at its 5 s keep-alive
  // default: a request sent on a socket the engine is closing would fail with ECONNRESET, a 502 for nothing.
  // (Node's agent applies the timeout to free sockets; a request's own socket just emits 'timeout', unheeded.)
  // noDelay: an SSE event is one small write, never held back for Nagle (Node's default; said here, not per request)
  return new http.Agent({ keepAlive: true, maxFreeSockets: 1024, scheduling: 'lifo', timeout: idleMs, noDelay: true });
}

/** The response's bytes as the engine sent them (body only), for the request log; null: nobody counts. */
export type OnBody = ((bytes: number) => void) | null;

/** The engine's response headers to pass on; `ownCors`: the front applies its CORS policy, the engine's goes. */
function responseHeaders(headers: IncomingHttpHeaders, ownCors: boolean): OutgoingHttpHeaders {
  const out = forwardable(headers);
  if (ownCors) for (const k of Object.keys(out)) if (k.startsWith('access-control-')) delete out[k];
  return out;
}

/**
 * The head leaves with the first body bytes when the engine sent both together (it does: the first event is
 * written with the head): one write and one packet, one wake-up of the client instead of two, on the path every
 * time-to-first-token goes. When no body came with the head, it leaves on its own before the loop waits again,
 * so a stream's client still sees 200 before a slow first token.
 */
function sendHeadSoon(ur: IncomingMessage, res: ServerResponse): void {
  let bodyWritten = false;
  ur.once('data', () => (bodyWritten = true));
  setImmediate(() => {
    if (!bodyWritten && !res.writableEnded && !res.destroyed) res.flushHeaders();
  });
}

export function proxyRequest(req: IncomingMessage, res: ServerResponse, upstream: Upstream, onBody: OnBody, ownCors = false): void {
  const headers = forwardable(req.headers);
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  headers['x-forwarded-proto'] = 'encrypted' in req.socket ? 'https' : 'http';
  const up = http.request({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers, agent: upstream.agent });
  up.on('response', (ur: IncomingMessage) => {
    res.writeHead(ur.statusCode ?? 502, ur.statusMessage, responseHeaders(ur.headers, ownCors));
    // one listener more per event only when the request log needs the count
    if (onBody !== null) ur.on('data', (c: Buffer) => onBody(c.length));
    ur.pipe(res);
    ur.on('aborted', () => res.destroy());
    sendHeadSoon(ur, res);
  });
  up.on('error', (err) => {
    if (res.headersSent) return void res.destroy(err);
    const body = JSON.stringify({ error: { message: `the engine is not answering: ${err.message}`, type: 'bad_gateway' } });
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  // the client went away before the whole answer was sent: cancel the engine's work for it
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
}
