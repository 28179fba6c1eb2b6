// What the engine builders take and give: plain data, so building the command is a pure function.
import type { Settings } from '../config/env.js';
import type { Engine, Profile } from '../manifest/types.js';
import type { Selection } from '../select/types.js';

/** One LoRA adapter found under NIM_PEFT_SOURCE: its folder name is the name clients ask for. */
export interface LoraAdapter {
  name: string;
  path: string;
  /** `r` of its adapter_config.json; null when the file or the key is missing. */
  rank: number | null;
}

export interface EngineCommandInput {
  profile: Profile;
  selection: Selection;
  settings: Settings;
  /** The folder the engine loads: the published workspace, or NIM_MODEL_NAME's folder. */
  modelDir: string;
  /** The engine's release where known (NIMLET_ENGINES name@version, or detected): decides version-bound flags. */
  engineVersion?: string | null;
  /** The model folder holds a TensorRT engine in trtllm_engine/ (the shell looked, or the profile's files say so). */
  builtEngine?: boolean;
  /** The parent environment the engine's is derived from (default: none, only the changes). */
  parentEnv?: Readonly<Record<string, string | undefined>>;
  /** Adapters listed from NIM_PEFT_SOURCE by the shell (listing a folder is I/O). */
  loraAdapters?: readonly LoraAdapter[];
  /** Where generated engine config files go (TensorRT-LLM's LoRA options file). */
  scratchDir?: string;
  /** Where the engine listens: behind the front 127.0.0.1 and a port of nimlet's; default 0.0.0.0:NIM_SERVER_PORT. */
  listen?: { host: string; port: number };
}

/** A file the engine needs that nimlet writes just before it starts (never in a dry run). */
export interface GeneratedFile {
  path: string;
  content: string;
}

export interface EngineCommand {
  engine: Engine;
  argv: string[];
  env: Record<string, string>;
  files: GeneratedFile[];
  /** The variable that replaces this engine's command, for error hints. */
  commandVariable: string;
  /** What nimlet could not pass to this engine (a flag its version lacks), for a warning at start. */
  notes: string[];
}

/** One flag and its values (`['--tp_size', '2']`), or a positional argument alone: what "each flag once" counts. */
export type ArgGroup = readonly [string, ...string[]];

/** The engine-specific part: everything after the command, before profile args and passthrough. */
export interface EngineFlags {
  groups: ArgGroup[];
  files: GeneratedFile[];
  notes: string[];
}

/** What every engine's flag builder receives, already resolved. */
export interface FlagInput {
  modelDir: string;
  host: string;
  port: number;
  servedModelName: string;
  /** NIM_SERVED_MODEL_NAME was set (engines whose older releases lack the flag only get it then). */
  servedNameExplicit: boolean;
  engineVersion: string | null;
  builtEngine: boolean;
  tp: number;
  pp: number;
  maxModelLen: number | null;
  /** LoRA on: the largest rank to serve (feat_lora_max_rank and every adapter's `r`), and the adapters. */
  lora: { maxRank: number | null; adapters: readonly LoraAdapter[] } | null;
  scratchDir: string;
  /** This node's place in a multi-node group (DESIGN §14); null on a single node. */
  group: { nodes: number; rank: number; leaderAddress: string; port: number } | null;
}
