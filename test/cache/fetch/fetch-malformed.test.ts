// Servers that answer wrongly: a bad or repeated Content-Length, a redirect to another scheme, a redirect loop,
// a head that never ends. Each is a one-line exit 75 naming what was wrong (at once when asking again cannot
// help), never a hang, a request to a URL nimlet should not fetch, or bytes taken from one.
import type net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchFile, statSource } from '../../../src/cache/fetch/fetch-file.js';
import { dribbleHead, startScriptedServer, type ScriptedServer } from '../../fixtures/servers/scripted-server.js';
import { failure, FAST, request, settingsFor, tempDir } from './fetch-helpers.js';

const BODY = 'hello';
/** Every direct request takes raw-http.ts since Node's http client went; both sizes are kept: each path must hold. */
const CLIENTS = [['size unknown', null], ['small known size', BODY.length]] as const;

let srv: ScriptedServer | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
  for (const c of cleanups.splice(0)) await c();
});

/** One answer per connection, said so (as a server that closes should). */
const reply = (s: net.Socket, status: string, headers: string[], body = ''): void =>
  void s.end(`HTTP/1.1 ${status}\r\n${[...headers, 'connection: close'].map((h) => `${h}\r\n`).join('')}\r\n${body}`);

/** The scripted server's answers, by path; `base` is its own origin (for redirects back to it). */
function answer(base: () => string) {
  return (p: string, s: net.Socket): void => {
    const redirect = (location: string) => reply(s, '302 Found', [`location: ${location}`, 'content-length: 0']);
    if (p === '/ok') return reply(s, '200 OK', [`content-length: ${BODY.length}`], BODY);
    if (p === '/to-ftp') return redirect(`${base().replace('http:', 'ftp:')}/ok`);
    if (p === '/to-file') return redirect('file:///etc/passwd');
    if (p === '/to-javascript') return redirect('javascript:alert(1)');
    if (p === '/to-invalid') return redirect('http://[zz/?X-Amz-Signature=secret');
    if (p === '/loop') return redirect('/loop');
    if (p === '/length-twice') return reply(s, '200 OK', [`content-length: ${BODY.length}`, `content-length: ${BODY.length}`], BODY);
    if (p === '/lengths-differ') return reply(s, '200 OK', ['content-length: 2', `content-length: ${BODY.length}`], BODY);
    if (p === '/length-negative') return reply(s, '200 OK', ['content-length: -1'], BODY);
    if (p === '/dribble') return dribbleHead(s);
    reply(s, '404 Not Found', ['content-length: 0']);
  };
}

async function setUp(): Promise<{ url: string; partial: string }> {
  srv = await startScriptedServer(answer(() => srv!.url));
  const tmp = await tempDir();
  cleanups.push(tmp.cleanup);
  return { url: srv.url, partial: path.join(tmp.dir, 'p') };
}

const fetchFrom = (url: string, partial: string, expectedSize: number | null, retry = FAST) =>
  fetchFile(request({ kind: 'http', url }, partial, settingsFor('http://127.0.0.1:9'), { expectedSize, retry, label: 'm.bin (profile p)' }));

describe.each(CLIENTS)('redirects nimlet does not follow (%s)', (_client, expectedSize) => {
  it.each([['/to-ftp', 'ftp:'], ['/to-file', 'file:'], ['/to-javascript', 'javascript:']])('%s: refused at once, naming %s', async (p, scheme) => {
    const { url, partial } = await setUp();
    const e = await failure(fetchFrom(`${url}${p}`, partial, expectedSize));
    expect([e.code, e.exitCode]).toEqual(['network', 75]);
    expect(e.message).toBe(
      `downloading m.bin (profile p) failed: HTTP 302 from ${url}${p} redirects to "${scheme}", a scheme nimlet does not follow (only http: and https:)`,
    );
    expect(e.hint).toContain('redirects where nimlet cannot follow');
    // One request: no retry, and the ftp: URL (this same server) was never spoken to as HTTP.
    expect(srv!.requests()).toEqual([`GET ${p}`]);
  });

  it('a redirect to an invalid URL: refused at once, its query (a signature) left out', async () => {
    const { url, partial } = await setUp();
    const e = await failure(fetchFrom(`${url}/to-invalid`, partial, expectedSize));
    expect(e.exitCode).toBe(75);
    expect(e.message).toBe(`downloading m.bin (profile p) failed: HTTP 302 from ${url}/to-invalid redirects to an invalid URL: "http://[zz/"`);
    expect(srv!.requests()).toEqual(['GET /to-invalid']);
  });

  it('a redirect loop: the message says the redirect limit was passed', async () => {
    const { url, partial } = await setUp();
    const e = await failure(fetchFrom(`${url}/loop`, partial, expectedSize));
    expect(e.exitCode).toBe(75);
    expect(e.message).toBe(`downloading m.bin (profile p) failed: HTTP 302 from ${url}/loop: more than 10 redirects in a row (a redirect loop?)`);
    expect(srv!.requests()).toEqual(Array(11).fill('GET /loop'));
  });
});

describe('statSource (HEAD)', () => {
  it('a Content-Length given twice with one value is the size', async () => {
    const { url } = await setUp();
    const st = await statSource({ kind: 'http', url: `${url}/length-twice` }, settingsFor('http://127.0.0.1:9'), new AbortController().signal);
    expect(st).toEqual({ size: BODY.length, sha256: null });
  });

  it('a redirect to ftp: is refused at once', async () => {
    const { url } = await setUp();
    const e = await failure(statSource({ kind: 'http', url: `${url}/to-ftp` }, settingsFor('http://127.0.0.1:9', { NIMLET_RETRY_BASE_MS: '1' }), new AbortController().signal));
    expect(e.exitCode).toBe(75);
    expect(e.message).toContain('redirects to "ftp:", a scheme nimlet does not follow');
    expect(srv!.requests()).toEqual(['HEAD /to-ftp']);
  });
});

describe.each(CLIENTS)('Content-Length (%s)', (_client, expectedSize) => {
  it('given twice with one value: downloaded', async () => {
    const { url, partial } = await setUp();
    const r = await fetchFrom(`${url}/length-twice`, partial, expectedSize);
    expect(r.bytes).toBe(BODY.length);
  });

  it.each([['/lengths-differ', '"2, 5"'], ['/length-negative', '"-1"']])('%s: exit 75 after the retries, naming the bad Content-Length', async (p, shown) => {
    const { url, partial } = await setUp();
    const e = await failure(fetchFrom(`${url}${p}`, partial, expectedSize, { ...FAST, attempts: 2 }));
    expect([e.code, e.exitCode]).toEqual(['network', 75]);
    expect(e.message).toMatch(/^downloading m\.bin \(profile p\) failed after 2 attempt\(s\): /);
    expect(e.message).toContain(`bad Content-Length: ${shown}`);
    expect(e.hint).toContain('malformed HTTP');
  });
});

describe.each(CLIENTS)('a head that never ends (%s)', (_client, expectedSize) => {
  it('times out like a silent server: exit 75 after the retries', async () => {
    const { url, partial } = await setUp();
    const e = await failure(fetchFrom(`${url}/dribble`, partial, expectedSize, { ...FAST, attempts: 2, stallTimeoutMs: 500 }));
    expect([e.code, e.exitCode]).toEqual(['network', 75]);
    expect(e.message).toBe(`downloading m.bin (profile p) failed after 2 attempt(s): no complete response head within 500 ms (ETIMEDOUT) talking to ${url}/dribble`);
    expect(srv!.requests()).toEqual(['GET /dribble', 'GET /dribble']);
  });
});
