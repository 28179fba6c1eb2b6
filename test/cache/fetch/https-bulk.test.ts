// The bulk client (raw-http.ts) over TLS, end to end through the built CLI (build first: npx tsc -p
// tsconfig.build.json): a self-signed certificate for 127.0.0.1 made with openssl at test time, trusted the
// way users with private mirrors trust theirs, NODE_EXTRA_CA_CERTS (read at process start, hence the child
// process). An https "API" origin answers 302 to an https "storage" origin on another port.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nimlet } from '../../support/cli.js';
import { VLLM_TAGS, writeManifest, wsOf } from '../../support/manifest.js';
import { cliEnv } from '../../support/sandbox.js';

const MiB = 1024 * 1024;
const PROFILE = 'vllm-bf16-tp1'; // the name nimlet derives from VLLM_TAGS
const TOKEN = 'nvapi-SECRET-https-0123456789';
const OPENSSL = spawnSync('openssl', ['version']).status === 0;
if (!OPENSSL) console.warn('https-bulk.test.ts skipped: openssl is not on PATH (needed to make a test certificate)');

type Framing = 'length' | 'chunked' | 'close';
interface Served { body: Buffer; framing: Framing; dropAfter?: number }
interface Rec { server: 'api' | 'storage'; method: string; path: string; headers: Record<string, string | string[] | undefined>; status: number }

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FILES: Record<string, Served> = {
  'length.bin': { body: randomBytes(8 * MiB), framing: 'length' },
  'chunked.bin': { body: randomBytes(8 * MiB + 3), framing: 'chunked' },
  'close.bin': { body: randomBytes(8 * MiB + 5), framing: 'close' },
  'drop.bin': { body: randomBytes(8 * MiB + 7), framing: 'length', dropAfter: 3 * MiB + 11 },
};

let certDir: string;
let certPem: string;
let api: https.Server;
let storage: https.Server;
let apiUrl: string;
let storageUrl: string;
let records: Rec[] = [];
const dropped = new Set<string>();

function makeCertificate(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { key, cert };
}

/** Serves `name` from byte `from` with the file's framing; a drop fault closes the TLS connection once, mid-body. */
function serve(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, rec: Rec, name: string): void {
  const f = FILES[name];
  if (!f) {
    rec.status = 404;
    return void res.writeHead(404).end();
  }
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const from = m ? Number(m[1]) : 0;
  const part = req.method === 'HEAD' ? Buffer.alloc(0) : f.body.subarray(from);
  rec.status = m ? 206 : 200;
  const headers: Record<string, string> = m ? { 'content-range': `bytes ${from}-${f.body.length - 1}/${f.body.length}` } : {};
  if (f.framing === 'close') {
    // No Content-Length, no chunking: the body ends when the connection does (HTTP/1.0 style).
    const head = [`HTTP/1.1 ${rec.status} OK`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
    req.socket.write(head.join('\r\n'));
    req.socket.end(part);
    return;
  }
  res.writeHead(rec.status, f.framing === 'length' ? { ...headers, 'content-length': String(part.length) } : headers);
  if (f.dropAfter !== undefined && !dropped.has(name)) {
    dropped.add(name);
    res.write(part.subarray(0, f.dropAfter), () => req.socket.destroy());
    return;
  }
  res.end(part);
}

function listen(s: https.Server): Promise<string> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  if (!OPENSSL) return;
  certDir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-tls-'));
  const { key, cert } = makeCertificate(certDir);
  certPem = cert;
  const tlsOptions = { key: await readFile(key), cert: await readFile(cert) };
  api = https.createServer(tlsOptions, (req, res) => {
    const rec: Rec = { server: 'api', method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, status: 0 };
    records.push(rec);
    const name = /\/files\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '';
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      rec.status = 401;
      return void res.writeHead(401).end();
    }
    rec.status = 302;
    res.writeHead(302, { location: `${storageUrl}/blob/${name}?X-Amz-Signature=fake` }).end();
  });
  storage = https.createServer(tlsOptions, (req, res) => {
    const rec: Rec = { server: 'storage', method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, status: 0 };
    records.push(rec);
    serve(req, res, rec, /^\/blob\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
  });
  apiUrl = await listen(api);
  storageUrl = await listen(storage);
});

afterAll(async () => {
  if (!OPENSSL) return;
  for (const s of [api, storage]) s.closeAllConnections();
  await Promise.all([api, storage].map((s) => new Promise<void>((r) => s.close(() => r()))));
  await rm(certDir, { recursive: true, force: true });
});

let dir: string;
let cache: string;
let manifest: string;
beforeEach(async () => {
  records = [];
  dropped.clear();
  dir = await mkdtemp(path.join(os.tmpdir(), 'nimlet-https-'));
  cache = path.join(dir, 'cache');
  manifest = path.join(dir, 'model_manifest.yaml');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function writeProfile(names: string[]): Promise<void> {
  const files = Object.fromEntries(names.map((n) => [n, {
    uri: `ngc://nim/meta/llama:1.0?file=${n}`, sha256: sha(FILES[n]!.body),
    // the chunked and close-delimited files come without a size: the bulk client is used for unknown sizes too
    ...(FILES[n]!.framing === 'length' ? { size: FILES[n]!.body.length } : {}),
  }]));
  await writeManifest(manifest, [{ name: PROFILE, tags: VLLM_TAGS, files }]);
}

const env = (extra: Record<string, string> = {}) => cliEnv({
  NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, NIMLET_NGC_ENDPOINT: apiUrl, NGC_API_KEY: TOKEN, ...extra,
});

describe.skipIf(!OPENSSL)('bulk downloads over https (NODE_EXTRA_CA_CERTS)', () => {
  it('fetches 8 MiB files (Content-Length, chunked, close-delimited) through a 302; storage never sees Authorization', async () => {
    const names = ['length.bin', 'chunked.bin', 'close.bin'];
    await writeProfile(names);
    // a real process: Node reads NODE_EXTRA_CA_CERTS once, when it starts
    const r = await nimlet(['download-to-cache', '--profiles', PROFILE, '--json'], env({ NODE_EXTRA_CA_CERTS: certPem }), { real: true });
    expect(r.stderr).not.toContain('nimlet:');
    expect(r.code).toBe(0);
    const ws = wsOf(cache, PROFILE);
    for (const n of names) expect(sha(await readFile(path.join(ws, n)))).toBe(sha(FILES[n]!.body));
    // The files without a size are asked for it first (HEAD, Node's client); the bytes come with GET (the bulk client).
    const api = records.filter((q) => q.server === 'api');
    const store = records.filter((q) => q.server === 'storage');
    const gets = (qs: Rec[]) => qs.filter((q) => q.method === 'GET').map((q) => `${q.status} ${q.path.replace(/\?.*/, '')}`).sort();
    expect(gets(api)).toEqual(names.map((n) => `302 /v2/org/nim/team/meta/models/llama/versions/1.0/files/${n}`).sort());
    expect(gets(store)).toEqual(names.map((n) => `200 /blob/${n}`).sort());
    expect(api.map((q) => q.headers.authorization)).toEqual(api.map(() => `Bearer ${TOKEN}`));
    for (const q of store) expect(q.headers.authorization).toBeUndefined();
    expect(JSON.stringify(store)).not.toContain(TOKEN);
  });

  it('a TLS connection dropped mid-file resumes with Range and ends with the right bytes', async () => {
    await writeProfile(['drop.bin']);
    const r = await nimlet(['download-to-cache', '--profiles', PROFILE, '--json'], env({ NODE_EXTRA_CA_CERTS: certPem }), { real: true });
    expect(r.stderr).not.toContain('nimlet:');
    expect(r.code).toBe(0);
    const body = FILES['drop.bin']!.body;
    expect(sha(await readFile(path.join(wsOf(cache, PROFILE), 'drop.bin')))).toBe(sha(body));
    const store = records.filter((q) => q.server === 'storage');
    expect(store.map((q) => q.status)).toEqual([200, 206]);
    expect(store[0]!.headers.range).toBeUndefined();
    const from = Number(/^bytes=(\d+)-$/.exec(String(store[1]!.headers.range))?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(3 * MiB + 11);
    expect(records.filter((q) => q.server === 'api').map((q) => q.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('an untrusted certificate fails at once (no retries) with exit 75, naming the TLS problem and NODE_EXTRA_CA_CERTS', async () => {
    await writeProfile(['length.bin']);
    let connections = 0;
    const count = () => void connections++;
    api.on('connection', count);
    try {
      const r = await nimlet(['download-to-cache', '--profiles', PROFILE], env({ NIMLET_RETRY_ATTEMPTS: '3' }));
      expect(r.code).toBe(75);
      const lines = r.stderr.split('\n');
      expect(lines).toContain(`nimlet: downloading length.bin (profile ${PROFILE}) failed: TLS certificate not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT) talking to ${apiUrl}/v2/org/nim/team/meta/models/llama/versions/1.0/files/length.bin`);
      expect(lines.find((l) => l.startsWith('hint: '))).toContain('set NODE_EXTRA_CA_CERTS to a PEM file');
    } finally {
      api.off('connection', count);
    }
    expect(connections).toBe(1);
    expect(records).toEqual([]); // the handshake failed: no request reached the server
  });
});
