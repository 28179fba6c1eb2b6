// A local folder in Hugging Face layout (NIM_MODEL_NAME=DIR with config.json and safetensors, no store record) as a
// model source (DESIGN §13): served in place, nothing downloaded; its files are listed with their sizes only
// (nothing vouches for them but the folder's owner, as for NIM_MODEL_NAME today).
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import { engineLoads, type Checkpoint, type CheckpointFile } from './checkpoint.js';

/** True when `dir` looks like a Hugging Face model folder: config.json beside safetensors. */
export async function isHfFolder(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.includes('config.json') && names.some((n) => n.endsWith('.safetensors'));
}

export async function readLocalFolder(dir: string): Promise<Checkpoint> {
  const files: CheckpointFile[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!engineLoads(name)) continue;
    const st = await lstat(path.join(dir, name));
    if (st.isFile()) files.push({ path: name, size: st.size, sha256: null, gitBlob: null, uri: name });
  }
  let config: unknown;
  try {
    config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
  } catch (e) {
    throw new NimletError('manifest-invalid', `${path.join(dir, 'config.json')} cannot be read as JSON: ${(e as Error).message}`, {
      hint: 'NIM_MODEL_NAME must name a model folder in Hugging Face layout, or a model store made by create-model-store',
    });
  }
  return { repo: dir, revision: null, commit: null, files, config: config as Record<string, unknown>, localDir: dir };
}
