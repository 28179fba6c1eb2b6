// The heads the relay (proxy.ts) sends each way: the request line and fields it sends the engine, and the engine's
// response fields it passes on to the client. Hop-by-hop fields stay behind both ways (RFC 9110 §7.6.1); the
// client's address is appended to X-Forwarded-For.
import type { ClientRequest } from './client-exchange.js';
import type { BodyFraming, ResponseHead } from './response-head.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the message, and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** What the engine is not sent of the client's fields: hop-by-hop ones, and those the relay writes itself. */
const NOT_TO_ENGINE = new Set([...HOP_BY_HOP, 'x-forwarded-for', 'x-forwarded-proto', 'content-length',
  // the front has already answered 100 Continue to the client, the engine need not
  'expect']);

/**
 * The request line and head the relay sends the engine for `req`, and how its body is framed on the way: rebuilt
 * from the front's own parse (request-head.ts), so the engine reads the body's end where the front did.
 */
export function requestHead(req: ClientRequest, host: string, port: number): { head: string; chunked: boolean; hasBody: boolean } {
  const h = req.head;
  const client = req.socket.remoteAddress ?? '';
  const named = h.connection;
  let forwardedFor: string[] | null = null;
  let hasHost = false;
  let head = `${h.method} ${h.target} HTTP/1.1\r\n`;
  for (let i = 0; i < h.names.length; i++) {
    const name = h.names[i] as string;
    const value = h.raw[2 * i + 1] as string;
    if (name === 'x-forwarded-for') (forwardedFor ??= []).push(value);
    else if (name === 'host') hasHost = true;
    if (!NOT_TO_ENGINE.has(name) && !(named.length > 0 && named.includes(name))) head += `${h.raw[2 * i] as string}: ${value}\r\n`;
  }
  // an HTTP/1.0 client may send no Host; the engine speaks HTTP/1.1, where it is required
  if (!hasHost) head += `host: ${host}:${port}\r\n`;
  const prior = forwardedFor === null ? '' : forwardedFor.join(', ');
  head += `x-forwarded-for: ${prior !== '' ? `${prior}, ${client}` : client}\r\nx-forwarded-proto: ${'encrypted' in req.socket ? 'https' : 'http'}\r\n`;
  // the front has decoded a chunked request body: it goes on chunked (sizes of the front's own), a counted one with its length
  const chunked = h.framing.kind === 'chunked';
  if (chunked) head += 'transfer-encoding: chunked\r\n';
  else if (h.framing.kind === 'length') head += `content-length: ${h.framing.length}\r\n`;
  return { head: head + '\r\n', chunked, hasBody: chunked || (h.framing.kind === 'length' && h.framing.length > 0) };
}

/**
 * The engine's response fields the client gets: hop-by-hop ones and those its Connection header names dropped, the
 * engine's CORS ones too when the front applies its own (`ownCors`), and at most one Content-Length.
 */
export function responseFields(head: ResponseHead, framing: BodyFraming, ownCors: boolean): string[] {
  const named = head.connection;
  // Transfer-Encoding and Content-Length both: the coding delimits the body, and the length must not go on
  // (RFC 9112 §6.3 item 3): beside the decoded body it cut the client's copy short and left the rest on the
  // client's connection as the start of a next response (response splitting)
  const coded = head.names.includes('transfer-encoding');
  let lengthSent = false;
  const out: string[] = [];
  for (let i = 0; i < head.names.length; i++) {
    const name = head.names[i] as string;
    if (HOP_BY_HOP.has(name) || named.includes(name) || (ownCors && name.startsWith('access-control-'))) continue;
    let value = head.raw[2 * i + 1] as string;
    if (name === 'content-length') {
      // a length repeated with the same value (two fields, or "5, 5") goes on as one (RFC 9110 §8.6): clients refuse the repeat
      if (coded || lengthSent) continue;
      lengthSent = true;
      if (framing.kind === 'length') value = String(framing.length);
    }
    out.push(head.raw[2 * i] as string, value);
  }
  return out;
}
