// The model sources of DESIGN §13 as the CLI sees them: the manifest a start uses when no manifest file is named
// and the model comes from NIM_MODEL_PATH (hf://…) or a Hugging Face layout folder (NIM_MODEL_NAME=DIR).
import type { Manifest } from '../manifest/types.js';
import { checkpointManifest } from './generate.js';
import { isHfFolder, readLocalFolder } from './local-folder.js';
import { hfCheckpoint, type ModelSourceSettings } from './source.js';

export { checkpointManifest, checkpointManifestText } from './generate.js';
export { hfCheckpoint } from './source.js';
export { isHfFolder, readLocalFolder } from './local-folder.js';

export async function hfManifest(s: ModelSourceSettings, uri: string, from: string, signal?: AbortSignal): Promise<Manifest> {
  return checkpointManifest(await hfCheckpoint(s, uri, from, signal));
}

/** The manifest the command line's model source gives when no manifest file is named; null when none is set. */
export async function modelSourceManifest(s: ModelSourceSettings, named: boolean, signal?: AbortSignal): Promise<Manifest | null> {
  return named || s.modelPath === null ? null : hfManifest(s, s.modelPath, 'NIM_MODEL_PATH', signal);
}

export async function folderManifest(dir: string): Promise<Manifest | null> {
  return (await isHfFolder(dir)) ? checkpointManifest(await readLocalFolder(dir)) : null;
}
