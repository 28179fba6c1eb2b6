// nimlet download-to-cache [--profiles ID/NAME…] [--all]: fetch profiles into the cache, start nothing.
// With neither option, the profile `select` would pick (which needs the GPU probe); otherwise no probe at all.
import { NimletError } from '../../errors.js';
// Profiles named by --profiles are recorded as cached on purpose, which a later serve with no pin prefers (DESIGN
// §6: what the NIM Operator's NIMCache Job runs); --all and the automatic choice record no such thing.
import type { CommandRun } from '../context.js';
import type { Profile } from '../../manifest/types.js';
import type { Manifest } from '../../manifest/types.js';
import { cacheSettings, loadCommandManifest, withInterrupts } from '../command-support.js';
import { refuseEmptyProfile } from '../../cache/model-dir.js';
import { findEngines } from '../engines-present.js';

/**
 * --model-uri hf://… (the NIM Operator's cache Job, which has no GPU): the checkpoint itself — every profile built
 * from it shares its one workspace — and, with --manifest-file F, the manifest written to F for review.
 */
async function modelUriProfiles(ctx: Parameters<CommandRun>[0], options: Parameters<CommandRun>[1], uri: string): Promise<{ manifest: Manifest; profiles: Profile[]; named: boolean }> {
  const { settings } = cacheSettings(ctx, options);
  const { hfCheckpoint, checkpointManifest, checkpointManifestText } = await import('../../model-source/index.js');
  const checkpoint = await hfCheckpoint(settings, uri, '--model-uri', ctx.signal);
  if (options.manifestFile !== undefined) {
    const { writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    await writeFile(path.resolve(ctx.cwd, options.manifestFile), checkpointManifestText(checkpoint));
  }
  const manifest = checkpointManifest(checkpoint);
  return { manifest, profiles: manifest.profiles.slice(0, 1), named: false };
}

async function chosenProfiles(...[ctx, options]: Parameters<CommandRun>): Promise<{ manifest: Manifest; profiles: Profile[]; named: boolean }> {
  if (options.modelUri !== undefined) return modelUriProfiles(ctx, options, options.modelUri);
  if (options.manifestFile !== undefined) throw new NimletError('usage', '--manifest-file needs --model-uri', { hint: 'pass --model-uri hf://org/model, or leave --manifest-file out' });
  const { settings } = cacheSettings(ctx, options);
  const pins = (options.profiles ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  if (options.all || pins.length) {
    const [manifest, engines] = await Promise.all([loadCommandManifest(ctx, options, settings), findEngines(settings, ctx.env, ctx.cwd)]);
    const { engineAbsence } = await import('../../select/filters/engine.js');
    if (options.all) {
      // everything this image can serve: another engine's profiles would be gigabytes no container here can start
      const skipped = manifest.profiles.filter((p) => engineAbsence(p, engines) !== null);
      if (skipped.length > 0 && !options.json) ctx.stderr(`nimlet: note: ${skipped.length} profile(s) skipped: ${engineAbsence(skipped[0]!, engines)}\n`);
      return { manifest, profiles: manifest.profiles.filter((p) => !skipped.includes(p) && p.files.length > 0), named: false };
    }
    const { resolvePin } = await import('../../select/pin.js');
    const { refuseAbsentEngine } = await import('../../select/select.js');
    const profiles = pins.map((pin) => resolvePin(manifest.profiles, pin, '--profiles'));
    for (const p of profiles) refuseAbsentEngine(p, '--profiles', engines);
    return { manifest, profiles: profiles.filter((p, i) => profiles.indexOf(p) === i), named: true };
  }
  const { prepareSelection } = await import('../prepare-selection.js');
  const { chooseProfile } = await import('../../select/select.js');
  const prep = await prepareSelection(ctx, options, 'strict');
  return { manifest: prep.manifest, profiles: [chooseProfile(prep.evaluations, prep.inventory, prep.request).profile], named: false };
}

export const run: CommandRun = async (ctx, options, args) => {
  const { settings, cacheDir } = cacheSettings(ctx, options);
  const { manifest, profiles, named } = await chosenProfiles(ctx, options, args);
  // a profile without files has nothing to fetch: it serves only a NIM_MODEL_NAME folder, never from the cache
  for (const p of profiles) refuseEmptyProfile(p, null);
  const { ensureProfile } = await import('../../cache/ensure-profile.js');
  const { readMarker } = await import('../../cache/marker.js');
  const { recordOnPurpose } = await import('../../cache/record.js');
  const { cacheLayout } = await import('../../cache/layout.js');
  const { markerBytes } = await import('../../cache/inventory.js');
  const { formatBytesExact } = await import('../../format-bytes.js');
  const results = await withInterrupts(ctx, async (signal) => {
    const out = [];
    for (const profile of profiles) {
      const r = await ensureProfile(profile, manifest.dir, {
        cacheDir, settings, signal, stderr: ctx.stderr, isTTY: ctx.stderrIsTTY, ...(options.requireChecksums ? { requireChecksums: true } : {}),
      });
      const marker = await readMarker(r.modelDir);
      const unrecorded = named ? await recordOnPurpose(cacheLayout(cacheDir), profile, 'download-to-cache --profiles') : null;
      await r.release();
      if (unrecorded !== null) ctx.stderr(`nimlet: warning: ${profile.name} is cached but not recorded as cached on purpose (${unrecorded}): a serve with no pin may choose another profile\n`);
      const row = { id: profile.id, name: profile.name, modelDir: r.modelDir, files: r.plan.files, bytes: marker ? markerBytes(marker) : 0, fetchedBytes: r.fetchedBytes };
      if (!options.json) {
        const fetched = row.fetchedBytes ? `fetched ${formatBytesExact(row.fetchedBytes)}` : 'nothing fetched (already cached)';
        ctx.stdout(`${row.id} (${row.name}): ${row.files} file(s), ${formatBytesExact(row.bytes)}, ${fetched}\n  ${row.modelDir}\n`);
      }
      out.push(row);
    }
    return out;
  });
  if (options.json) ctx.stdout(JSON.stringify({ profiles: results }) + '\n');
  return 0;
};
