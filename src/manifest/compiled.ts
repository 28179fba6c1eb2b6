// Reads a manifest through a compiled copy kept in a private per-user folder (Settings.privateDir): the normal
// form as JSON, keyed by the sha256 of the manifest's bytes, its path and the build of nimlet that parsed it. A
// restart with the same manifest skips YAML and the zod schemas (bench/startup.mjs, 2,000 profiles: ~365 ms with
// the copy, ~665 ms parsing). Never on the shared cache volume (DESIGN §15): a copy another pod could edit would
// swap a file's sha256 or add engine arguments. The folder is used only when it is ours alone (owned by this uid,
// no group or other write, not a link); otherwise, and on any miss or bad copy, the manifest is just parsed.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import type { CopyOrigin } from './compiled-check.js';
import type { Manifest } from './types.js';

const FORMAT = 1;

/** Identifies this build of the parser: a rebuild (a new dist/) changes it, so an old copy is never reused. */
async function parserBuild(): Promise<string> {
  try {
    const s = await stat(new URL('./load.js', import.meta.url));
    return `${FORMAT}:${s.mtimeMs}:${s.size}`;
  } catch {
    return `${FORMAT}:unknown`;
  }
}

async function readText(file: string, name: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    // loadManifest words every way a read fails; let it.
    const { loadManifest } = await import('./load.js');
    await loadManifest(file, name);
    throw new NimletError('internal', `manifest ${name} could not be read`);
  }
}

/**
 * The stored copy as a Manifest, or null: no copy, or one that does not check out. Only a regular file is read:
 * a FIFO or a link to a device put in its place would hang or exhaust the start.
 */
async function readCopy(copy: string, origin: CopyOrigin): Promise<Manifest | null> {
  let text: string;
  try {
    const handle = await open(copy, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await handle.stat();
      if (!st.isFile() || !ownedByUs(st) || (st.mode & 0o022) !== 0) return null;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const { checkCompiledCopy } = await import('./compiled-check.js');
  return checkCompiledCopy(json, origin);
}

/** Writes aside then renames, so a concurrent reader sees the whole copy or none. Failures are ignored. */
async function storeCopy(target: string, manifest: Manifest): Promise<void> {
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(manifest), { flag: 'wx', mode: 0o600 });
    await rename(tmp, target);
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

const ownedByUs = (st: { uid: number }): boolean => process.getuid === undefined || st.uid === process.getuid();

/** `<privateDir>/manifests`, made 0700 when missing; null when it exists but others could write it. */
async function privateFolder(privateDir: string): Promise<string | null> {
  const dir = path.join(privateDir, 'manifests');
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => undefined);
  for (const p of [privateDir, dir]) {
    const st = await lstat(p).catch(() => null);
    if (st === null || !st.isDirectory() || !ownedByUs(st) || (st.mode & 0o022) !== 0) return null;
  }
  return dir;
}

/**
 * loadManifest with a compiled copy under `<privateDir>/manifests/`. `privateDir` null: parse every time.
 * Invalid manifests are never stored, so their errors (exit 65) always come from the parser.
 */
export async function loadManifestCompiled(file: string, privateDir: string | null, name: string = file): Promise<Manifest> {
  const folder = privateDir === null ? null : await privateFolder(privateDir);
  if (folder === null) return (await import('./load.js')).loadManifest(file, name);
  const text = await readText(file, name);
  const key = createHash('sha256')
    .update(`${await parserBuild()}\0${path.resolve(file)}\0${name}\0`)
    .update(text)
    .digest('hex');
  const copy = path.join(folder, `${key}.json`);
  const resolved = path.resolve(file);
  const stored = await readCopy(copy, { file: resolved, dir: path.dirname(resolved), name });
  if (stored !== null) return stored;
  const { parseManifestText } = await import('./load.js');
  const parsed = parseManifestText(text, name);
  const manifest = name === file ? parsed : { ...parsed, file: resolved, dir: path.dirname(resolved) };
  await storeCopy(copy, manifest);
  return manifest;
}
