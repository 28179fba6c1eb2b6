// The model sources of DESIGN §13 as the CLI sees them: the manifest a start uses when no manifest file is named
// and the model comes from NIM_MODEL_PATH (hf://…) or a Hugging Face layout folder (NIM_MODEL_NAME=DIR).
import type { GpuInventory } from '../gpu/types.js';
import type { Manifest } from '../manifest/types.js';
import { modelKey } from '../select/units.js';
import { checkpointManifest } from './generate.js';
import { isHfFolder, readLocalFolder } from './local-folder.js';
import { hfCheckpoint, type ModelSourceSettings } from './source.js';

export { checkpointManifest, checkpointManifestText } from './generate.js';
export { hfCheckpoint } from './source.js';
export { isHfFolder, readLocalFolder } from './local-folder.js';

export async function hfManifest(s: ModelSourceSettings, uri: string, from: string, signal?: AbortSignal): Promise<Manifest> {
  return checkpointManifest(await hfCheckpoint(s, uri, from, signal));
}

export async function folderManifest(dir: string): Promise<Manifest | null> {
  return (await isHfFolder(dir)) ? checkpointManifest(await readLocalFolder(dir)) : null;
}

/** Generated profiles up to the GPUs of one model this container was given (at least tp 1, to say why not). */
export function limitToGpus(manifest: Manifest, inventory: GpuInventory): Manifest {
  if (manifest.generatedFrom === undefined) return manifest;
  const counts = new Map<string, number>();
  for (const g of inventory.gpus) counts.set(modelKey(g), (counts.get(modelKey(g)) ?? 0) + 1);
  const most = Math.max(1, ...counts.values());
  return { ...manifest, profiles: manifest.profiles.filter((p) => (p.tp ?? 1) <= most) };
}
