// A model checkpoint as nimlet sees it before any profile exists (DESIGN §13): which repository and commit, the
// files an engine loads (with what vouches for each), and its config.json. Every source (the Hub, a Hugging Face
// cache on disk, a local folder) produces this one shape; generate.ts turns it into the manifest normal form.
import { NimletError } from '../errors.js';

export interface CheckpointFile {
  /** Path inside the repository (POSIX). */
  path: string;
  size: number;
  /** sha256 of an LFS file (the tree's `lfs.oid`, or the HF cache's blob name). */
  sha256: string | null;
  /** git blob id of a small file kept in git (the tree's `oid`); the cache checks the bytes against it. */
  gitBlob: string | null;
  /** Where the bytes come from: hf://org/model:commit?file=path, or file:// for a copy already on disk. */
  uri: string;
}

export interface Checkpoint {
  /** `org/model` for the Hub; the folder for a local one. */
  repo: string;
  /** The revision as asked (`main`, a tag, a commit); null for a local folder. */
  revision: string | null;
  /** The commit the revision resolved to, once: every file comes from it. */
  commit: string | null;
  files: CheckpointFile[];
  /** config.json, parsed. */
  config: Record<string, unknown>;
  /** A local folder served in place (NIM_MODEL_NAME=DIR in Hugging Face layout); null when the cache holds it. */
  localDir: string | null;
}

export interface HfModelUri {
  org: string;
  name: string;
  revision: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;

/** `hf://org/model[:revision]` (default revision `main`); a bad one is 78 naming the variable it came from. */
export function parseHfModelUri(uri: string, from: string): HfModelUri {
  const body = uri.slice('hf://'.length);
  const colon = body.indexOf(':');
  const repo = colon < 0 ? body : body.slice(0, colon);
  const revision = colon < 0 ? 'main' : body.slice(colon + 1);
  const parts = repo.split('/');
  if (!uri.startsWith('hf://') || parts.length !== 2 || !parts.every((p) => NAME.test(p)) || !REVISION.test(revision) || revision.split('/').includes('..')) {
    throw new NimletError('bad-config', `${from}=${JSON.stringify(uri)} is not a Hugging Face model URI`, {
      hint: `set ${from} to hf://org/model or hf://org/model:revision (a branch, tag or commit)`,
    });
  }
  return { org: parts[0]!, name: parts[1]!, revision };
}

/** Only what an engine loads: weights in safetensors and their index, configs, tokenizer, chat template. */
export function engineLoads(file: string): boolean {
  if (file.includes('/')) return false;
  return /\.safetensors$/.test(file) || file === 'model.safetensors.index.json' || file === 'config.json'
    || file === 'generation_config.json' || file.startsWith('tokenizer') || file === 'special_tokens_map.json'
    || file === 'added_tokens.json' || file.startsWith('chat_template') || file === 'vocab.json' || file === 'merges.txt'
    || file === 'preprocessor_config.json';
}
