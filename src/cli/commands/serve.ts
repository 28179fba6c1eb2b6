// nimlet serve (the default command, the container's entrypoint): manifest → GPUs → profile → model folder →
// engine command → start-up summary → the engine (DESIGN §8). `--dry-run` does everything but the download and
// the start, and prints what would run (`--json`: the shape in DESIGN §1).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildEngineCommand, defaultEngineCommand, engineCommandVariable, profileHasBuiltEngine } from '../../engine/argv.js';
import { formatDryRun } from '../../engine/dry-run-report.js';
import { readCredentials } from '../../config/credentials.js';
import { listLoraAdapters } from '../../engine/lora-adapters.js';
import { resolveModelDir, type ModelDirResult } from '../../cache/model-dir.js';
import { defaultRunDeps, runEngine } from '../../engine/run.js';
import { defaultServedModelName } from '../../engine/served-name.js';
import { TRTLLM_ENGINE_DIR } from '../../engine/trtllm.js';
import type { EngineCommand } from '../../engine/types.js';
import type { Settings } from '../../config/env.js';
import { NimletError } from '../../errors.js';
import type { LaunchInfo } from '../../front/info.js';
import type { Front } from '../../front/server.js';
import { createLogger, jsonLogLine } from '../../log/logger.js';
import { logStartupSummary } from '../../log/startup-summary.js';
import { startStopwatch, type Stopwatch } from '../../log/stopwatch.js';
import type { Manifest, Profile } from '../../manifest/types.js';
import { chooseProfile } from '../../select/select.js';
import type { EnginesPresent, Selection } from '../../select/types.js';
import type { CliContext, CommandRun, CommonOptions } from '../context.js';
import { installInterrupt, type Interrupt } from '../interrupt.js';
import { prepareSelection } from '../prepare-selection.js';
import { engineListen, openFront, runBehindFront } from '../serve-front.js';
import { commandSettings } from '../settings.js';
import { createGroupLink, type GroupLink } from '../group-link.js';
import { checkWorkerFits, waitForLeader, type LeaderChoice } from '../multi-node.js';
import { describeHostGpus } from '../../select/units.js';

interface Launch {
  profile: Profile;
  selection: Selection;
  model: ModelDirResult;
  command: EngineCommand;
  settings: Settings;
  hostGpus: string;
}

/**
 * prepareSelection with each stage timed on its own for the summary (manifest and probe overlap). A multi-node
 * worker runs what the leader chose (DESIGN §14), as a pin, once it has checked that its own GPUs can.
 */
async function selectForServe(ctx: CliContext, options: CommonOptions, watch: Stopwatch, signal: AbortSignal, leader: LeaderChoice | null): Promise<{ settings: Settings; manifest: Manifest; selection: Selection; engines: EnginesPresent; hostGpus: string }> {
  const asked = leader === null ? options : { ...options, profile: leader.profileId };
  const prepared = await prepareSelection(ctx, asked, 'strict', (stage, work) => watch.time(stage, work), signal);
  if (leader !== null) checkWorkerFits(leader, prepared.evaluations, prepared.inventory, prepared.settings.multiNode?.rank ?? 0);
  const selection = await watch.time('select', async () => chooseProfile(prepared.evaluations, prepared.inventory, prepared.request));
  return { settings: prepared.settings, manifest: prepared.manifest, selection, engines: prepared.engines, hostGpus: describeHostGpus(prepared.inventory) };
}

/** A TensorRT engine in the model folder: the profile's files say so, or (NIM_MODEL_NAME) the folder has one. */
async function hasBuiltEngine(profile: Profile, model: ModelDirResult): Promise<boolean> {
  if (profile.engine !== 'tensorrt_llm') return false;
  if (model.source === 'cache') return profileHasBuiltEngine(profile);
  return (await stat(path.join(model.modelDir, TRTLLM_ENGINE_DIR)).catch(() => null))?.isDirectory() === true;
}

/**
 * No engine found at all (a laptop, a bare host): the listing judges profiles as if every engine were there, but
 * serve would download the chosen profile (gigabytes) only to fail to start it. Refused before the download, 127.
 */
function refuseWithoutEngine(profile: Profile, engines: EnginesPresent): void {
  if (engines.found.length > 0 || profile.engine === null) return;
  const command = defaultEngineCommand(profile.engine).join(' ');
  throw new NimletError('engine-not-found', `no inference engine found here: ${profile.name} needs ${profile.engine} (${command}), and nothing was downloaded`, {
    hint: `run nimlet in its ${profile.engine} image (docs/container.md), install the engine, or set ${engineCommandVariable(profile.engine)} (or NIMLET_ENGINES) to declare it`,
  });
}

/** What the front adds to a launch: the engine's loopback address, and a watcher of the download. */
interface FrontHooks {
  listen: { host: string; port: number } | undefined;
  /** Multi-node worker: the leader's choice, read before selection. */
  leader: LeaderChoice | null;
  /** The profile is chosen (before the download): a multi-node leader's metadata names it from here on. */
  onSelected?: (info: LaunchInfo) => void;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

async function prepareLaunch(ctx: CliContext, options: CommonOptions, interrupt: Interrupt, watch: Stopwatch, hooks: FrontHooks): Promise<Launch> {
  const { settings, manifest, selection, engines, hostGpus } = await selectForServe(ctx, options, watch, interrupt.signal, hooks.leader);
  interrupt.throwIfInterrupted();
  const profile = selection.profile;
  if (profile.engine !== null) hooks.onSelected?.(earlyInfo(profile, selection, settings, hostGpus));
  if (options.dryRun !== true) refuseWithoutEngine(profile, engines);
  // the profile fits, but this engine cannot be started on these GPUs (vLLM on one MIG device of several): refused
  // before the download, and by the dry run too, which fails where the run would
  if (selection.launchBlocker !== undefined) {
    throw new NimletError('profile-not-runnable', `profile ${profile.name} cannot start here: ${selection.launchBlocker.split(';')[0]}`, {
      hint: selection.launchBlocker.split('; ').slice(1).join('; ') || 'expose only the chosen device to the container',
    });
  }
  const model = await watch.time('cache', () =>
    resolveModelDir({
      profile,
      manifestDir: manifest.dir,
      settings,
      cwd: ctx.cwd,
      dryRun: options.dryRun === true,
      signal: interrupt.signal,
      stderr: ctx.stderr,
      isTTY: ctx.stderrIsTTY,
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    }),
  );
  interrupt.throwIfInterrupted();
  const loraAdapters = settings.peftSource === null ? [] : await listLoraAdapters(settings.peftSource, ctx.cwd);
  const command = buildEngineCommand({
    profile,
    selection,
    settings,
    modelDir: model.modelDir,
    engineVersion: profile.engine === null ? null : (engines.versions[profile.engine] ?? null),
    builtEngine: await hasBuiltEngine(profile, model),
    parentEnv: ctx.env,
    loraAdapters,
    scratchDir: path.join(os.tmpdir(), `nimlet-${process.pid}`),
    ...(hooks.listen ? { listen: hooks.listen } : {}),
  });
  interrupt.throwIfInterrupted(); // a stop asked for while the adapters were listed: no engine start
  return { profile, selection, model, command, settings, hostGpus };
}

async function writeGeneratedFiles(command: EngineCommand): Promise<void> {
  for (const f of command.files) {
    await mkdir(path.dirname(f.path), { recursive: true });
    await writeFile(f.path, f.content, { mode: 0o600 });
  }
}

export const run: CommandRun = async (ctx, options) => {
  const watch = startStopwatch();
  const interrupt = installInterrupt(ctx.signal);
  let launch: Launch;
  let front: Front | null = null;
  let listen: FrontHooks['listen'];
  let link: GroupLink | null = null;
  try {
    // read before the probe: the front (DESIGN §11) answers from nimlet's first second, downloads included
    const early = commandSettings(ctx, options);
    const logger = createLogger({ write: ctx.stderr, jsonl: early.jsonLogging, level: early.logLevel, secrets: readCredentials(ctx.env) });
    link = early.multiNode === null ? null : createGroupLink(early.multiNode, early.serverPort, logger);
    if (early.front.enabled && !options.dryRun) front = await openFront(early, logger, link);
    listen = await engineListen(early);
    const group = early.multiNode;
    const leader = group !== null && !group.leader && !options.dryRun ? await waitForLeader(group, early.serverPort, interrupt.signal, (l) => ctx.stderr(`${l}\n`)) : null;
    const downloading = front?.readiness.downloading;
    // a multi-node leader names its choice from selection on, for its workers (DESIGN §14); a single node, as before,
    // once the model folder (and so the served name) is known
    const onSelected = front === null || group?.leader !== true ? undefined : (info: LaunchInfo): void => front?.setLaunch(info);
    launch = await prepareLaunch(ctx, options, interrupt, watch, { listen, leader, ...(onSelected ? { onSelected } : {}), ...(downloading ? { onProgress: downloading } : {}) });
  } catch (err) {
    await front?.close();
    throw interrupt.outcome(err);
  } finally {
    interrupt.dispose();
  }
  // what the engine's version cannot take (a served name before TensorRT-LLM 1.3) is said, not silently dropped
  for (const note of launch.command.notes) ctx.stderr(options.json ? jsonLogLine('warning', 'engine_note', { message: note }) : `nimlet: warning: ${note}\n`);
  if (options.dryRun) {
    ctx.stdout(formatDryRun({ ...launch, parentEnv: ctx.env, secrets: readCredentials(ctx.env) }, options.json === true));
    return 0;
  }
  const { profile, selection, model, command, settings } = launch;
  const secrets = readCredentials(ctx.env);
  const logger = createLogger({ write: ctx.stderr, jsonl: settings.jsonLogging, level: settings.logLevel, secrets });
  logStartupSummary(logger, {
    engine: command.engine,
    profile: { id: profile.id, name: profile.name },
    why: selection.why,
    gpus: selection.gpus.map((index, i) => ({ index, uuid: selection.deviceUuids[i] ?? '' })),
    cacheDir: settings.cacheDir,
    modelDir: model.modelDir,
    modelSource: model.source,
    download: model.download,
    argv: command.argv,
    timingsMs: watch.read(),
  }, settings.jsonLogging, secrets);
  try {
    await writeGeneratedFiles(command);
  } catch (err) {
    await front?.close();
    throw err;
  }
  const runDeps = defaultRunDeps(ctx.cwd);
  if (front === null || listen === undefined) return runEngine(command, runDeps);
  return runBehindFront(front, launchInfo(launch), command, runDeps, settings, listen.port, logger, link);
};

/** What the front's metadata and manifest paths tell about this launch. */
function launchInfo({ profile, selection, model, command, settings, hostGpus }: Launch): LaunchInfo {
  const uri = profile.files[0]?.uri;
  return {
    servedName: settings.servedModelName ?? defaultServedModelName(profile, model.modelDir),
    modelUrl: model.source === 'local' || uri === undefined ? model.modelDir : uri,
    profile,
    engine: command.engine,
    gpus: selection.gpus.map((index, i) => ({ index, uuid: selection.deviceUuids[i] ?? '' })),
    ...groupInfo(settings, hostGpus),
  };
}

/** The metadata from selection on, before the model folder is known: what workers read (DESIGN §14). */
function earlyInfo(profile: Profile, selection: Selection, settings: Settings, hostGpus: string): LaunchInfo {
  return {
    servedName: settings.servedModelName ?? profile.tags.model?.trim() ?? profile.name,
    modelUrl: profile.files[0]?.uri ?? settings.localModelDir ?? '',
    profile,
    engine: profile.engine!,
    gpus: selection.gpus.map((index, i) => ({ index, uuid: selection.deviceUuids[i] ?? '' })),
    ...groupInfo(settings, hostGpus),
  };
}

const groupInfo = (settings: Settings, hostGpus: string): Pick<LaunchInfo, 'multiNode'> =>
  settings.multiNode === null ? {} : { multiNode: { nodes: settings.multiNode.nodes, rank: settings.multiNode.rank, gpus: hostGpus } };
