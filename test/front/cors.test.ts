import { describe, expect, it } from 'vitest';
import { readCorsPolicy } from '../../src/config/cors.js';
import { preflight, responseCors, type HeaderOf } from '../../src/front/cors.js';

/** A request's headers as the front's server hands them to the CORS code. */
const of = (h: Record<string, string>): HeaderOf => (name) => h[name];

const listed = readCorsPolicy({ NIM_CORS_ALLOW_ORIGINS: 'https://a.example/, https://b.example', NIM_CORS_ALLOW_METHODS: 'get,post', NIM_CORS_ALLOW_HEADERS: 'Content-Type,Authorization', NIM_CORS_EXPOSE_HEADERS: 'X-Request-Id', NIM_CORS_MAX_AGE: '60' })!;
const any = readCorsPolicy({ NIM_CORS_ALLOW_ORIGINS: '*' })!;

describe('CORS', () => {
  it('unset origins: no policy; defaults as Starlette', () => {
    expect(readCorsPolicy({})).toBeNull();
    expect(any).toEqual({ origins: ['*'], methods: ['*'], headers: ['*'], expose: [], maxAgeS: 600 });
    expect(listed).toEqual({ origins: ['https://a.example', 'https://b.example'], methods: ['GET', 'POST'], headers: ['content-type', 'authorization'], expose: ['X-Request-Id'], maxAgeS: 60 });
    expect(() => readCorsPolicy({ NIM_CORS_ALLOW_ORIGINS: '*', NIM_CORS_MAX_AGE: 'soon' })).toThrow(/^NIM_CORS_MAX_AGE="soon" is not valid/);
  });

  it.each([
    ['a listed origin, method and headers', listed, { origin: 'https://a.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type' },
      { status: 200, headers: { 'access-control-allow-origin': 'https://a.example', vary: 'Origin', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, authorization', 'access-control-max-age': '60' }, body: 'OK' }],
    ['any origin: `*`, the method and headers asked for', any, { origin: 'https://z.example', 'access-control-request-method': 'delete', 'access-control-request-headers': 'X-A, x-b' },
      { status: 200, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'DELETE', 'access-control-allow-headers': 'x-a, x-b', 'access-control-max-age': '600' }, body: 'OK' }],
    ['another origin', listed, { origin: 'https://evil.example', 'access-control-request-method': 'GET' }, { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Disallowed CORS origin' }],
    ['a method not listed', listed, { origin: 'https://b.example', 'access-control-request-method': 'DELETE' }, { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Disallowed CORS method' }],
    ['a header not listed', listed, { origin: 'https://b.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-secret' }, { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Disallowed CORS headers' }],
  ])('preflight: %s', (_what, policy, headers, answer) => {
    expect(preflight(policy, 'OPTIONS', of(headers))).toEqual(answer);
  });

  it('not a preflight: an OPTIONS without Access-Control-Request-Method, or another method', () => {
    expect(preflight(any, 'OPTIONS', of({ origin: 'https://a.example' }))).toBeNull();
    expect(preflight(any, 'GET', of({ origin: 'https://a.example', 'access-control-request-method': 'GET' }))).toBeNull();
  });

  it('actual requests: headers only for an allowed Origin', () => {
    expect(responseCors(listed, of({ origin: 'https://b.example' }))).toEqual({ 'access-control-allow-origin': 'https://b.example', vary: 'Origin', 'access-control-expose-headers': 'X-Request-Id' });
    expect(responseCors(listed, of({ origin: 'https://evil.example' }))).toEqual({});
    expect(responseCors(listed, of({}))).toEqual({});
    expect(responseCors(any, of({ origin: 'https://z.example' }))).toEqual({ 'access-control-allow-origin': '*' });
  });
});
