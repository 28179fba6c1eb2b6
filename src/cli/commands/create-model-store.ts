// nimlet create-model-store --profile P --model-store DIR: one profile's files as plain files in DIR (fetched
// into the cache first when needed), ready for NIM_MODEL_NAME=DIR on a machine with no network. The profile is
// recorded as cached on purpose, which a serve with no pin from this cache prefers (DESIGN §6).
import path from 'node:path';
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';
import { cacheSettings, loadCommandManifest, withInterrupts } from '../command-support.js';

export const run: CommandRun = async (ctx, options) => {
  if (!options.profile || !options.modelStore) throw new NimletError('usage', 'create-model-store needs --profile P and --model-store DIR');
  const { settings, cacheDir } = cacheSettings(ctx, options);
  const manifest = await loadCommandManifest(ctx, options, settings);
  const { resolvePin } = await import('../../select/pin.js');
  const profile = resolvePin(manifest.profiles, options.profile, '--profile');
  const dest = path.resolve(ctx.cwd, options.modelStore);
  const { ensureProfile } = await import('../../cache/ensure-profile.js');
  const { readMarker } = await import('../../cache/marker.js');
  const { recordOnPurpose } = await import('../../cache/record.js');
  const { cacheLayout } = await import('../../cache/layout.js');
  const { exportWorkspace, prepareModelStore } = await import('../../cache/export.js');
  const { formatBytesExact } = await import('../../format-bytes.js');
  await prepareModelStore(dest);
  const done = await withInterrupts(ctx, async (signal) => {
    const prepared = await ensureProfile(profile, manifest.dir, { cacheDir, settings, signal, stderr: ctx.stderr, isTTY: ctx.stderrIsTTY });
    const marker = await readMarker(prepared.modelDir);
    const unrecorded = await recordOnPurpose(cacheLayout(cacheDir), profile, 'create-model-store');
    if (unrecorded !== null) ctx.stderr(`nimlet: warning: ${profile.name} is cached but not recorded as cached on purpose (${unrecorded}): a serve with no pin may choose another profile\n`);
    if (marker === null) throw new NimletError('io', `the workspace of profile ${profile.name} lost its completion marker while exporting`);
    return { prepared, ...(await exportWorkspace(profile, prepared.modelDir, marker, dest, signal)) };
  });
  if (options.json) {
    ctx.stdout(JSON.stringify({ id: profile.id, name: profile.name, modelStore: dest, files: done.files, bytes: done.bytes, fetchedBytes: done.prepared.fetchedBytes }) + '\n');
  } else {
    ctx.stdout(`${profile.id} (${profile.name}): ${done.files} file(s), ${formatBytesExact(done.bytes)} in ${dest}\n`);
    ctx.stdout(`use it with: NIM_MODEL_NAME=${dest}\n`);
  }
  return 0;
};
