// nimlet manifest generate SOURCE: the schema-2 manifest nimlet builds for a model without one (DESIGN §13),
// on stdout — reviewable, pinnable, loadable with --manifest (same profiles, same ids). SOURCE is hf://org/model
// [:revision] (the Hub's metadata only, or a Hugging Face cache on disk) or a local folder in Hugging Face layout.
import path from 'node:path';
import { NimletError } from '../../errors.js';
import { checkpointManifestText, hfCheckpoint, isHfFolder, readLocalFolder } from '../../model-source/index.js';
import type { CommandRun } from '../context.js';
import { commandSettings } from '../settings.js';

export const run: CommandRun = async (ctx, options, args) => {
  const source = args[0];
  if (source === undefined || source === '') throw new NimletError('usage', 'manifest generate needs a SOURCE (hf://org/model[:revision] or a model folder)');
  const settings = commandSettings(ctx, options);
  if (source.startsWith('hf://')) {
    ctx.stdout(checkpointManifestText(await hfCheckpoint(settings, source, 'SOURCE', ctx.signal)));
    return 0;
  }
  const dir = path.resolve(ctx.cwd, source);
  if (!(await isHfFolder(dir))) {
    throw new NimletError('not-found', `${source} is not a model folder in Hugging Face layout (config.json and *.safetensors)`, {
      hint: 'pass hf://org/model[:revision] or a folder holding config.json and its safetensors',
    });
  }
  ctx.stdout(checkpointManifestText(await readLocalFolder(dir)));
  return 0;
};
