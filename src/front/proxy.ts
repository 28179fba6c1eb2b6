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
  const named = new Set((headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()));
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) out[k] = v;
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
  return new http.Agent({ keepAlive: true, maxFreeSockets: 1024, scheduling: 'lifo', timeout: idleMs });
}

/** The response's bytes as the engine sent them (body only), for the request log; null: nobody counts. */
export type OnBody = ((bytes: number) => void) | null;

/** The engine's response headers to pass on; `ownCors`: the front applies its CORS policy, the engine's goes. */
function responseHeaders(headers: IncomingHttpHeaders, ownCors: boolean): OutgoingHttpHeaders {
  const out = forwardable(headers);
  if (ownCors) for (const k of Object.keys(out)) if (k.startsWith('access-control-')) delete out[k];
  return out;
}

export function proxyRequest(req: IncomingMessage, res: ServerResponse, upstream: Upstream, onBody: OnBody, ownCors = false): void {
  const headers = forwardable(req.headers);
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  headers['x-forwarded-proto'] = 'encrypted' in req.socket ? 'https' : 'http';
  const up = http.request({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers, agent: upstream.agent });
  up.on('socket', (s) => s.setNoDelay(true)); // an SSE event is one small write: never held back for Nagle
  up.on('response', (ur: IncomingMessage) => {
    res.writeHead(ur.statusCode ?? 502, ur.statusMessage, responseHeaders(ur.headers, ownCors));
    // headers out at once: a stream's client sees 200 before the first token, as it would from the engine
    res.flushHeaders();
    // one listener more per event only when the request log needs the count
    if (onBody !== null) ur.on('data', (c: Buffer) => onBody(c.length));
    ur.pipe(res);
    ur.on('aborted', () => res.destroy());
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
