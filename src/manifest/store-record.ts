// A model store's record of the profile it was made from (DESIGN §13): DIR/.nimlet/profile.json, written by
// create-model-store, holding the id, name, tags and each file's sha256 and size, never engine arguments or
// environment (those come only from a manifest). With it, `NIM_MODEL_NAME=DIR serve` needs no manifest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NimletError } from '../errors.js';
import { buildProfile } from './profile.js';
import type { Manifest, Profile } from './types.js';

export const STORE_RECORD = path.join('.nimlet', 'profile.json');

export interface StoreRecord {
  version: 1;
  id: string;
  name: string;
  tags: Record<string, string>;
  files: Array<{ path: string; sha256: string; size: number; extract: boolean }>;
}

export function storeRecordText(profile: Profile, files: StoreRecord['files']): string {
  const record: StoreRecord = { version: 1, id: profile.id, name: profile.name, tags: profile.tags, files };
  return JSON.stringify(record, null, 2) + '\n';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFile = (f: unknown): boolean =>
  isObj(f) && typeof f.path === 'string' && typeof f.sha256 === 'string' && typeof f.size === 'number' && typeof f.extract === 'boolean';

function isRecord(v: unknown): v is StoreRecord {
  return isObj(v) && v.version === 1 && typeof v.id === 'string' && typeof v.name === 'string' && isObj(v.tags)
    && Object.values(v.tags).every((t) => typeof t === 'string') && Array.isArray(v.files) && v.files.every(isFile);
}

/** The record of the model store `dir`; null when it has none (a plain model folder). A damaged one is 65. */
export async function readStoreRecord(dir: string): Promise<StoreRecord | null> {
  const file = path.join(dir, STORE_RECORD);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (!isRecord(value)) {
    throw new NimletError('manifest-invalid', `${file} is not a model store record nimlet can read`, {
      hint: 'make the model store again with `nimlet create-model-store`, or pass the manifest it was made from (--manifest)',
    });
  }
  return value;
}

/** A one-profile manifest of the store's record: its files are the store's own, read in place. */
export function storeManifest(record: StoreRecord, dir: string): Manifest {
  const file = path.join(dir, STORE_RECORD);
  const files = record.files.map((f) => ({ path: f.path, uri: f.path, sha256: f.sha256, size: f.size, extract: f.extract }));
  return {
    file,
    dir,
    layout: 'schema-2',
    profiles: [buildProfile({ id: record.id, tags: record.tags, files, location: { file, line: 1 } })],
    warnings: [],
  };
}
