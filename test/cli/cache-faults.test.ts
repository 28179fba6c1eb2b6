// A cache damaged by hand or by another tool, owned by another uid, or locked by another host: through the built
// CLI (build first), against the fake artifact server on 127.0.0.1. Each fault is healed or ends in its documented
// exit code naming the path, never exit 70.
import { chmod, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesBody, sha256Of, type ArtifactServer } from '../fixtures/servers/artifact-server.js';
import { nimlet, startNimlet } from '../support/cli.js';
import { VLLM_TAGS, writeManifest, wsName, wsOf } from '../support/manifest.js';
import { NOBODY, skipUnlessNobodyCanRun } from '../support/nobody.js';
import { cliEnv, makeSandbox } from '../support/sandbox.js';
import { tarBytes } from '../support/tar-writer.js';

const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
const TOKENIZER = '{"tok":1}';
let dir: string;
let cache: string;
let manifest: string;
let srv: ArtifactServer;
let configHex: string;

beforeEach(async () => {
  const sb = makeSandbox({ engines: [] });
  dir = sb.dir;
  cache = sb.cache;
  manifest = sb.manifest;
  srv = await sb.server();
  srv.add('/m/config.json', bytesBody(CONFIG));
  srv.add('/m/tokenizer.json', bytesBody(TOKENIZER));
  configHex = await sha256Of(bytesBody(CONFIG));
  await writeManifest(manifest, [{
    name: 'vllm-bf16-tp1',
    tags: VLLM_TAGS,
    files: {
      'config.json': { uri: `${srv.url}/m/config.json`, sha256: configHex },
      // no sha256: kept by source, under refs/uri/
      'tokenizer.json': { uri: `${srv.url}/m/tokenizer.json` },
    },
  }]);
});

const env = (extra: Record<string, string> = {}) => cliEnv({ NIM_CACHE_PATH: cache, NIMLET_MANIFEST: manifest, ...extra });
const workspace = () => wsOf(cache, 'vllm-bf16-tp1');
const gets = () => srv.requests().filter((r) => r.method === 'GET').map((r) => r.path).sort();
const asNobody = (args: string[]) =>
  nimlet([...args], env(), { uid: NOBODY });

/** A complete cache, then no workspace: the next run must rebuild it from the blobs. */
async function filledCacheWithoutWorkspace(): Promise<void> {
  const first = await nimlet(['download-to-cache', '--all'], env());
  expect(first.code, first.all).toBe(0);
  await rm(workspace(), { recursive: true, force: true });
  srv.reset();
}

describe('a damaged cache heals', () => {
  it('a folder where a blob belongs is no blob: fetched again and put in its place', async () => {
    await filledCacheWithoutWorkspace();
    const blob = path.join(cache, 'blobs/sha256', configHex);
    await rm(blob, { force: true });
    await mkdir(path.join(blob, 'junk'), { recursive: true });
    const r = await nimlet(['download-to-cache', '--all'], env());
    expect(r.code, r.all).toBe(0);
    expect(gets()).toEqual(['/m/config.json']);
    expect((await lstat(blob)).isFile()).toBe(true);
    expect(await readFile(path.join(workspace(), 'config.json'), 'utf8')).toBe(CONFIG);
    expect(await readdir(path.join(cache, 'tmp'))).toEqual([]);
    const verify = await nimlet(['cache', 'verify'], env());
    expect(verify.code, verify.all).toBe(0);
  });

  it('a folder where a source ref belongs: the file is fetched again and the ref written in its place', async () => {
    await filledCacheWithoutWorkspace();
    const refs = path.join(cache, 'refs/uri');
    const [ref] = await readdir(refs);
    await rm(path.join(refs, ref!));
    await mkdir(path.join(refs, ref!));
    const r = await nimlet(['download-to-cache', '--all'], env());
    expect(r.code, r.all).toBe(0);
    expect(gets()).toEqual(['/m/tokenizer.json']);
    expect((await readFile(path.join(refs, ref!), 'utf8')).trim()).toBe(await sha256Of(bytesBody(TOKENIZER)));
    expect(await readFile(path.join(workspace(), 'tokenizer.json'), 'utf8')).toBe(TOKENIZER);
  });
});

it('an archive holding `x` as a file and then `x/y` is refused (exit 74), nothing published', async () => {
  const tar = tarBytes([{ name: 'x', type: '0', data: Buffer.from('file') }, { name: 'x/y', type: '0', data: Buffer.from('inside') }]);
  srv.add('/m/collide.tar', bytesBody(tar));
  await writeManifest(manifest, [{ name: 'p', tags: VLLM_TAGS, files: { engine: { uri: `${srv.url}/m/collide.tar`, sha256: await sha256Of(bytesBody(tar)), extract: true } } }]);
  const r = await nimlet(['download-to-cache', '--all'], env());
  expect(r.code, r.all).toBe(74);
  expect(r.stderr).toContain('nimlet: refused to unpack engine of profile vllm-bf16-tp1: "x": entries collide, one path is both a file and a folder (EEXIST on mkdir)');
  expect(r.stderr).toMatch(/hint: the archive is unsafe or damaged/);
  expect(await readdir(path.join(cache, 'profiles'))).toEqual([]);
  expect(await readdir(path.join(cache, 'tmp'))).toEqual([]);
});

describe.skipIf(process.getuid?.() !== 0)('a cache partly owned by another uid: exit 73 naming the folder that is not writable', () => {
  beforeEach(({ skip }) => skipUnlessNobodyCanRun(skip));

  it.each([['profiles', 'profiles'], ['refs/uri', 'refs/uri']])('%s/ owned by root, the run by uid 65534', async (sub) => {
    await filledCacheWithoutWorkspace();
    if (sub === 'refs/uri') for (const ref of await readdir(path.join(cache, sub))) await rm(path.join(cache, sub, ref));
    await execa('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
    await execa('chown', ['0:0', path.join(cache, sub)]);
    await chmod(path.join(cache, sub), 0o755);
    const r = await asNobody(['download-to-cache', '--all']);
    expect(r.code, r.all).toBe(73);
    expect(r.stderr).toContain(`nimlet: cannot write in the cache: EACCES on ${path.join(cache, sub)}\n`);
    expect(r.stderr).toContain(`hint: make ${path.join(cache, sub)} writable by uid 65534`);
  });

  it('cache prune by uid 65534 on a cache root owns: exit 73, nothing removed', async () => {
    expect((await nimlet(['download-to-cache', '--all'], env())).code).toBe(0);
    await mkdir(path.join(cache, 'profiles', 'otherprofile'));
    await execa('chown', [`${NOBODY}:${NOBODY}`, dir]);
    const r = await asNobody(['cache', 'prune']);
    expect(r.code, r.all).toBe(73);
    expect(r.stderr).toContain(`nimlet: cannot write in the cache: EACCES on ${path.join(cache, 'profiles')}\n`);
    expect(r.stderr).not.toMatch(/bug in nimlet/);
    expect((await readdir(path.join(cache, 'profiles'))).sort()).toEqual([wsName('vllm-bf16-tp1'), 'otherprofile'].sort());
  });
});

it('a lock held by another host says who holds it while waiting, and SIGTERM still stops the wait (143)', async () => {
  const lock = path.join(cache, 'locks', `${configHex}.lock`);
  await mkdir(lock, { recursive: true });
  const owner = { token: 't', host: 'other-host/pid:[4026531836]', pid: 4242, since: '2099-01-01T00:00:00.000Z' };
  await writeFile(path.join(lock, 'owner.json'), JSON.stringify(owner));
  const { child, done } = startNimlet(['download-to-cache', '--all'], env());
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (/waiting for config\.json .*\n/.test(stderr)) resolve();
    });
    done.then(() => reject(new Error(`nimlet ended before waiting:\n${stderr}`)), reject);
  });
  child.kill('SIGTERM');
  const r = await done;
  expect(r.code, r.all).toBe(143);
  expect(r.stderr).toContain(
    'waiting for config.json (profile vllm-bf16-tp1), locked by other-host pid 4242 since 2099-01-01T00:00:00.000Z; taken over if its heartbeat stops for 30 s\n',
  );
  // another host's live lock is left as it was
  expect(JSON.parse(await readFile(path.join(lock, 'owner.json'), 'utf8'))).toEqual(owner);
});
