// NIM_SSL_MODE (DESIGN §11): TLS and MTLS terminated in the front, with certificates made by openssl per test.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nimlet } from '../support/cli.js';
import { frontSandbox, request, startServe, until, type FrontSandbox } from './front-helpers.js';

const openssl = (dir: string, ...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA. */
function makeCerts(dir: string): void {
  openssl(dir, 'req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=test-ca', '-days', '1');
  for (const who of ['server', 'client']) {
    openssl(dir, 'req', ...EC, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    openssl(dir, 'x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1',
      ...(who === 'server' ? ['-extfile', writeExt(dir)] : []));
  }
}
function writeExt(dir: string): string {
  const file = path.join(dir, 'san.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${file}`]);
  return file;
}

function httpsGet(f: FrontSandbox, pathname: string, client: boolean): Promise<{ status: number; body: string } | { error: string }> {
  const file = (n: string): Buffer => readFileSync(path.join(f.sb.dir, n));
  return new Promise((resolve) => {
    https.get({ host: '127.0.0.1', port: f.port, path: pathname, ca: file('ca.pem'), agent: false, ...(client ? { cert: file('client.pem'), key: file('client.key') } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

function httpsPost(f: FrontSandbox, pathname: string, body: string): Promise<{ status: number; chunked: boolean; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = https.request({ host: '127.0.0.1', port: f.port, path: pathname, method: 'POST', ca: readFileSync(path.join(f.sb.dir, 'ca.pem')), agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, chunked: res.headers['transfer-encoding'] === 'chunked', body: text }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

const tlsEnv = (f: FrontSandbox, mode: string): Record<string, string> => ({
  ...f.env, NIM_SSL_MODE: mode, NIM_SSL_CERTS_PATH: path.join(f.sb.dir, 'server.pem'), NIM_SSL_KEY_PATH: path.join(f.sb.dir, 'server.key'),
  NIM_SSL_CA_CERTS_PATH: path.join(f.sb.dir, 'ca.pem'), NIMLET_DRAIN_DELAY_MS: '0',
});

describe('the front over TLS', () => {
  it('TLS: liveness over https with the server certificate; plain http gets no answer; models and a streamed completion pass through', async () => {
    const f = await frontSandbox();
    makeCerts(f.sb.dir);
    const { child, done } = startServe(f, tlsEnv(f, 'tls'));
    const live = await until('live over https', async () => {
      const r = await httpsGet(f, '/v1/health/live', false);
      return 'status' in r ? r : undefined;
    });
    expect(live).toEqual({ status: 200, body: '{"status":"live"}' });
    expect((await request(`${f.base}/v1/health/live`)).status).not.toBe(200);
    // the engine behind the TLS front is reached over plain loopback HTTP
    writeFileSync(f.healthFile, '');
    await until('ready over https', async () => {
      const r = await httpsGet(f, '/v1/health/ready', false);
      return 'status' in r && r.status === 200 ? r : undefined;
    });
    const models = await httpsGet(f, '/v1/models', false);
    expect(models).toMatchObject({ status: 200, body: expect.stringContaining('"object":"list"') });
    // a streamed completion through the TLS front: the engine's chunks pass on, each event whole
    const chat = await httpsPost(f, '/v1/chat/completions', JSON.stringify({ model: 'store', stream: true, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }));
    expect(chat).toMatchObject({ status: 200, chunked: true });
    expect((chat as { body: string }).body.split('\n\n').filter((e) => e.startsWith('data: {'))).toHaveLength(5);
    expect((chat as { body: string }).body.endsWith('data: [DONE]\n\n')).toBe(true);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('MTLS: a client without a certificate is refused in the handshake; one signed by the CA is answered', async () => {
    const f = await frontSandbox();
    makeCerts(f.sb.dir);
    const { child, done } = startServe(f, tlsEnv(f, 'MTLS'));
    const live = await until('live over mTLS', async () => {
      const r = await httpsGet(f, '/v1/health/live', true);
      return 'status' in r ? r : undefined;
    });
    expect(live).toEqual({ status: 200, body: '{"status":"live"}' });
    expect(await httpsGet(f, '/v1/health/live', false)).toHaveProperty('error');
    writeFileSync(f.healthFile, '');
    await until('ready over mTLS', async () => {
      const r = await httpsGet(f, '/v1/health/ready', true);
      return 'status' in r && r.status === 200 ? r : undefined;
    });
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('a certificate file that cannot be read: 78 naming its variable, before the probe', async () => {
    const f = await frontSandbox();
    const r = await nimlet(['serve'], { ...tlsEnv(f, 'TLS'), NIM_SSL_CERTS_PATH: path.join(f.sb.dir, 'missing.pem') }, { real: true });
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(`nimlet: NIM_SSL_CERTS_PATH=${path.join(f.sb.dir, 'missing.pem')} cannot be read (ENOENT)\n`
      + 'hint: set NIM_SSL_CERTS_PATH to a readable PEM file (mounted into the container), or set NIM_SSL_MODE=DISABLED\n');
  });
});
