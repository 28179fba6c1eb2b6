// CORS in the front (DESIGN §11): preflights are answered here, never by the engine, and every response to a
// request with an allowed Origin carries the front's headers (the engine's own Access-Control-* are dropped by
// the proxy, so one policy holds). Pure: request headers in, response headers out.
import type { CorsPolicy } from '../config/cors.js';

export type Headers = Record<string, string>;
/** A request's header by its lower-case name (its first value). */
export type HeaderOf = (name: string) => string | undefined;

const allowed = (list: string[], value: string): boolean => list.includes('*') || list.includes(value);

function originHeaders(policy: CorsPolicy, origin: string): Headers {
  // `*` is answered as `*` (no credentials); a listed origin is echoed, and caches must key on it
  return policy.origins.includes('*') ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The answer to a preflight (OPTIONS with Origin and Access-Control-Request-Method); null for any other request. */
export function preflight(policy: CorsPolicy, method: string, header: HeaderOf): { status: number; headers: Headers; body: string } | null {
  const origin = header('origin');
  const wanted = header('access-control-request-method');
  if (method !== 'OPTIONS' || origin === undefined || wanted === undefined) return null;
  const requested = (header('access-control-request-headers') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const refused = !allowed(policy.origins, origin) ? 'origin' : !allowed(policy.methods, wanted.toUpperCase()) ? 'method'
    : requested.some((r) => !allowed(policy.headers, r)) ? 'headers' : null;
  if (refused !== null) return { status: 400, headers: { 'content-type': 'text/plain' }, body: `Disallowed CORS ${refused}` };
  return {
    status: 200,
    headers: {
      ...originHeaders(policy, origin),
      'access-control-allow-methods': policy.methods.includes('*') ? wanted.toUpperCase() : policy.methods.join(', '),
      ...(requested.length > 0 ? { 'access-control-allow-headers': policy.headers.includes('*') ? requested.join(', ') : policy.headers.join(', ') } : {}),
      'access-control-max-age': String(policy.maxAgeS),
    },
    body: 'OK',
  };
}

/** Headers for an actual request from an allowed origin; empty when it has no Origin or another one. */
export function responseCors(policy: CorsPolicy, header: HeaderOf): Headers {
  const origin = header('origin');
  if (origin === undefined || !allowed(policy.origins, origin)) return {};
  return { ...originHeaders(policy, origin), ...(policy.expose.length > 0 ? { 'access-control-expose-headers': policy.expose.join(', ') } : {}) };
}
