// The bodies of `/v1/metadata`, `/v1/version` and `/v1/manifest` (DESIGN §11). The NIM Operator reads
// `modelInfo[0].shortName` from metadata when `/v1/models` does not answer yet. Pure: built from what serve chose.
import type { Engine, Profile } from '../manifest/types.js';

export interface LaunchInfo {
  servedName: string;
  /** Where the model comes from: the profile's first source URI, or the local folder. */
  modelUrl: string;
  profile: Profile;
  engine: Engine;
  gpus: { index: number; uuid: string }[];
  /** Across a group (DESIGN §14): its size, this node's rank, and this node's GPUs as workers compare them. */
  multiNode?: { nodes: number; rank: number; gpus: string };
}

export const API_VERSION = '1.0.0';

/** A URI without a `user:password@` part: these paths answer anyone who can reach the port. */
const withoutUserinfo = (uri: string): string => uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');

export function metadataBody(info: LaunchInfo | null, nimletVersion: string, engineVersion: string | null): unknown {
  return {
    modelInfo: info === null ? [] : [{ shortName: info.servedName, modelUrl: withoutUserinfo(info.modelUrl) }],
    profile: info === null ? null : { id: info.profile.id, name: info.profile.name, tags: info.profile.tags },
    engine: info === null ? null : { name: info.engine, version: engineVersion },
    gpus: info?.gpus ?? [],
    nimlet: { version: nimletVersion },
    ...(info?.multiNode ? { multiNode: info.multiNode } : {}),
  };
}

export function versionBody(nimletVersion: string): unknown {
  return { release: nimletVersion, api: API_VERSION };
}

/** The selected profile in the manifest's terms (id, tags, files, engine settings); null before selection. */
export function manifestBody(info: LaunchInfo | null): unknown {
  if (info === null) return null;
  const p = info.profile;
  return {
    id: p.id,
    name: p.name,
    tags: p.tags,
    files: p.files.map((f) => ({ path: f.path, uri: withoutUserinfo(f.uri), sha256: f.sha256, size: f.size, extract: f.extract })),
    requirements: p.requirements,
    engine: p.engineSettings,
  };
}
