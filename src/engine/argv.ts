// Builds the engine's command line and environment (DESIGN §8): the engine's own flags from the selection and
// the settings, then the profile's `engine.args`, then NIM_PASSTHROUGH_ARGS, so a user's flag comes last and wins
// (each engine's argument parser keeps the last value). NIMLET_*_CMD replaces only the command part. Pure.
import os from 'node:os';
import type { Engine, Profile } from '../manifest/types.js';
import { NimletError } from '../errors.js';
import { flattenGroups } from './arg-groups.js';
import { buildEngineEnv } from './environment.js';
import { defaultServedModelName } from './served-name.js';
import { SGLANG_COMMAND, sglangFlags } from './sglang.js';
import { TRTLLM_COMMAND, TRTLLM_ENGINE_DIR, trtllmFlags } from './trtllm.js';
import type { EngineCommand, EngineCommandInput, EngineFlags, FlagInput } from './types.js';
import { VLLM_COMMAND, vllmFlags } from './vllm.js';

const ENGINES: Record<Engine, { command: string[]; variable: string; flags: (i: FlagInput) => EngineFlags }> = {
  vllm: { command: VLLM_COMMAND, variable: 'NIMLET_VLLM_CMD', flags: vllmFlags },
  tensorrt_llm: { command: TRTLLM_COMMAND, variable: 'NIMLET_TRTLLM_CMD', flags: trtllmFlags },
  sglang: { command: SGLANG_COMMAND, variable: 'NIMLET_SGLANG_CMD', flags: sglangFlags },
};

/** The command that starts an engine when no NIMLET_*_CMD replaces it. */
export function defaultEngineCommand(engine: Engine): readonly string[] {
  return ENGINES[engine].command;
}

/** The variable that replaces an engine's command (for hints). */
export function engineCommandVariable(engine: Engine): string {
  return ENGINES[engine].variable;
}

/** `feat_lora_max_rank` as a positive integer; anything else is no rank (the engine's default). */
function loraMaxRank(tags: Record<string, string>): number | null {
  const raw = tags.feat_lora_max_rank?.trim();
  return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
}

/**
 * `{model_dir}` in a profile's engine.args and engine.env values stands for the model folder: the folder is the
 * cache's (or NIM_MODEL_NAME's), known only at start, and the engine's working directory is the container's, so a
 * bare relative path (`chat_template.jinja`) would not find the workspace file the manifest means.
 */
export const MODEL_DIR_PLACEHOLDER = '{model_dir}';

const withModelDir = (value: string, modelDir: string): string => value.split(MODEL_DIR_PLACEHOLDER).join(modelDir);

/** The profile's workspace holds a built TensorRT engine (NIM 1.x: a component whose dst is trtllm_engine). */
export function profileHasBuiltEngine(profile: Profile): boolean {
  return profile.engine === 'tensorrt_llm' && profile.files.some((f) => f.path.startsWith(`${TRTLLM_ENGINE_DIR}/`));
}

export function buildEngineCommand(input: EngineCommandInput): EngineCommand {
  const { profile, selection, settings } = input;
  if (profile.engine === null) {
    throw new NimletError('profile-not-runnable', `profile ${profile.id} (${profile.name}) names no LLM engine`, {
      hint: 'pick a profile whose llm_engine tag is tensorrt_llm, vllm or sglang',
    });
  }
  if (profile.engine === 'tensorrt_llm' && settings.multiNode !== null) {
    // selection refuses these already; a pin forced through with NIM_MANIFEST_ALLOW_UNSAFE meets the same answer here
    throw new NimletError('profile-not-runnable', `profile ${profile.id} (${profile.name}) is TensorRT-LLM, which nimlet cannot start across nodes (it needs mpirun over ssh)`, {
      hint: 'choose a vLLM or SGLang profile for NIM_MULTI_NODE=1, or run this one on a single node',
    });
  }
  const spec = ENGINES[profile.engine];
  const flags = spec.flags({
    modelDir: input.modelDir,
    host: input.listen?.host ?? '0.0.0.0',
    port: input.listen?.port ?? settings.serverPort,
    servedModelName: settings.servedModelName ?? defaultServedModelName(profile, input.modelDir),
    servedNameExplicit: settings.servedModelName !== null,
    engineVersion: input.engineVersion ?? null,
    builtEngine: input.builtEngine ?? profileHasBuiltEngine(profile),
    tp: selection.tp,
    pp: selection.pp,
    // the longest context that fits when the model's own does not (DESIGN §13), unless NIM_MAX_MODEL_LEN says
    maxModelLen: settings.maxModelLen ?? selection.context ?? null,
    lora: settings.peftSource === null ? null : { maxRank: loraMaxRank(profile.tags), adapters: input.loraAdapters ?? [] },
    scratchDir: input.scratchDir ?? os.tmpdir(),
    group: settings.multiNode === null ? null : { nodes: settings.multiNode.nodes, rank: settings.multiNode.rank, leaderAddress: settings.multiNode.leaderAddress, port: settings.multiNode.port },
  });
  const command = settings.engineCommands[profile.engine] ?? spec.command;
  const profileArgs = profile.engineSettings.args.map((a) => withModelDir(a, input.modelDir));
  const userArgs = [...profileArgs, ...settings.passthroughArgs];
  return {
    engine: profile.engine,
    argv: [...command, ...flattenGroups(flags.groups, userArgs), ...userArgs],
    env: buildEngineEnv({
      parentEnv: input.parentEnv ?? {},
      cudaDevices: selection.cudaDevices,
      profileEnv: Object.fromEntries(Object.entries(profile.engineSettings.env).map(([k, v]) => [k, withModelDir(v, input.modelDir)])),
    }),
    files: flags.files,
    commandVariable: spec.variable,
    notes: flags.notes,
  };
}
