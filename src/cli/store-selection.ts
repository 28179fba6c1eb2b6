// NIM_MODEL_NAME=DIR where DIR is a model store with its record (DESIGN §13): the store decides the profile. With
// no manifest found, the record is the manifest; a manifest that has the store's profile supplies its engine
// settings. A pin (NIM_MODEL_PROFILE, --profile) that names another profile is refused (78): the engine would
// be started on one model's files with another profile's settings.
import path from 'node:path';
import type { Settings } from '../config/env.js';
import { NimletError } from '../errors.js';
import { loadManifestCompiled } from '../manifest/compiled.js';
import { locateManifest } from '../manifest/locate.js';
import { readStoreRecord, STORE_RECORD, storeManifest, type StoreRecord } from '../manifest/store-record.js';
import type { Manifest } from '../manifest/types.js';
import { folderManifest, hfManifest } from '../model-source/index.js';
import { resolvePin } from '../select/pin.js';
import type { SelectRequest } from '../select/types.js';
import type { CommonOptions } from './context.js';

export interface ModelStore {
  dir: string;
  record: StoreRecord;
}

/** The model store NIM_MODEL_NAME names, when it is one; null for no NIM_MODEL_NAME or a plain folder. */
export async function modelStore(settings: Settings, cwd: string): Promise<ModelStore | null> {
  if (settings.localModelDir === null) return null;
  const dir = path.resolve(cwd, settings.localModelDir);
  const record = await readStoreRecord(dir);
  return record === null ? null : { dir, record };
}

/** The manifest as always; for a store with no manifest named or found, the store's record instead. */
export async function loadManifestFor(store: ModelStore | null, options: CommonOptions, settings: Settings, cwd: string): Promise<Manifest> {
  const named = (options.manifest ?? '') !== '' || settings.manifestFile !== null;
  // DESIGN §13: a model named by NIM_MODEL_PATH (or a Hugging Face folder) needs no manifest; one named on purpose wins
  if (!named && store === null && settings.modelPath !== null) return hfManifest(settings, settings.modelPath, 'NIM_MODEL_PATH');
  let file: string;
  try {
    file = locateManifest(options.manifest, settings, cwd);
  } catch (e) {
    // no manifest anywhere and NIM_MODEL_NAME a Hugging Face folder: its profiles are built from it
    const generated = !named && store === null && settings.localModelDir !== null ? await folderManifest(path.resolve(cwd, settings.localModelDir)) : null;
    if (generated !== null) return generated;
    if (store === null || named) throw e;
    return storeManifest(store.record, store.dir);
  }
  const manifest = await loadManifestCompiled(file, settings.privateDir);
  // a manifest of another model (an image's baked-in one) does not override what the store holds
  if (store !== null && !manifest.profiles.some((p) => p.id === store.record.id)) return storeManifest(store.record, store.dir);
  return manifest;
}

/** The request that selects the store's profile; a pin of another profile is 78, naming both. */
export function storeRequest(store: ModelStore, manifest: Manifest, asked: SelectRequest): SelectRequest {
  const { id, name } = store.record;
  if (asked.pin !== null) {
    const source = asked.pinSource ?? 'NIM_MODEL_PROFILE';
    const pinned = resolvePin(manifest.profiles, asked.pin, source);
    if (pinned.id !== id) {
      throw new NimletError('bad-config', `${source}=${JSON.stringify(asked.pin)} names ${pinned.id} (${pinned.name}), but the model store ${store.dir} (NIM_MODEL_NAME) holds ${id} (${name})`, {
        hint: `unset ${source} (the store's ${STORE_RECORD} decides), or make a store of that profile with \`nimlet create-model-store --profile ${pinned.name}\``,
      });
    }
  }
  return { ...asked, pin: `${id} (${name})`, pinSource: `the model store ${store.dir}` };
}
