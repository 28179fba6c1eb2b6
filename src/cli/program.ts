// The command-line surface (DESIGN §1): commands and options only. Each action imports its command module
// when it runs, so `nimlet gpus` never loads the download stack (undici, tar) or systeminformation.
import { Command, Option } from 'commander';
import type { CliContext, CommandRun, CommonOptions } from './context.js';
import { environmentHelp } from './help-env.js';

type Loader = () => Promise<{ run: CommandRun }>;

export interface ProgramResult {
  exitCode: number;
}

/** `jsonErrors`: usage errors are left to main(), which prints them as a JSON object (under --json). */
export function buildProgram(ctx: CliContext, result: ProgramResult, version: string, { jsonErrors = false } = {}): Command {
  const program = new Command('nimlet')
    .description('NIM-style launcher: read the model manifest, probe the GPUs, pick a profile, fetch it, run the engine')
    .version(version, '-V, --version')
    .showHelpAfterError(jsonErrors ? false : '(run with --help for usage)')
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr, outputError: (text, write) => void (jsonErrors || write(text)) })
    .exitOverride()
    .addHelpText('after', environmentHelp());

  const action = (load: Loader) =>
    async (...received: unknown[]): Promise<void> => {
      // commander passes (...args, options, command)
      const command = received.at(-1) as Command;
      const options = command.opts<CommonOptions>();
      const args = received.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
      const { run } = await load();
      result.exitCode = await run(ctx, options, args);
    };

  const manifestOpt = () => new Option('--manifest <file>', 'model manifest (default: $NIMLET_MANIFEST, then the NIM locations)');
  const cacheOpt = () => new Option('--cache <dir>', 'cache folder (default: $NIM_CACHE_PATH)');
  const jsonOpt = () => new Option('--json', 'machine-readable output on stdout, nothing else there');
  const explainOpt = () => new Option('--explain', 'show every reason for every profile');
  const verboseOpt = () => new Option('-v, --verbose', 'more detail, stack traces for internal errors');
  const profileOpt = () => new Option('--profile <id-or-name>', 'pin a profile (the flag twin of NIM_MODEL_PROFILE)');

  program
    .command('serve', { isDefault: true })
    .description('(default: `nimlet` alone runs it) container entrypoint: manifest → GPUs → profile → cache → engine')
    .addOption(manifestOpt()).addOption(cacheOpt()).addOption(profileOpt())
    .addOption(new Option('--dry-run', 'print what would run, start nothing'))
    .addOption(jsonOpt()).addOption(explainOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/serve.js')));

  program
    .command('list-model-profiles')
    .description('profiles that fit this machine, and why the others do not')
    .addOption(manifestOpt()).addOption(cacheOpt()).addOption(profileOpt()).addOption(jsonOpt()).addOption(explainOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/list-model-profiles.js')));

  program
    .command('select')
    .description('the profile serve would run, on which GPUs, and why')
    .addOption(manifestOpt()).addOption(cacheOpt()).addOption(profileOpt()).addOption(jsonOpt()).addOption(explainOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/select.js')));

  program
    .command('gpus')
    .description('what the GPU probe found')
    .addOption(cacheOpt()).addOption(jsonOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/gpus.js')));

  program
    .command('download-to-cache')
    .description('fetch profiles into the cache without starting anything (default: the selected one)')
    .addOption(manifestOpt()).addOption(cacheOpt())
    .addOption(new Option('--profiles <id-or-name...>', 'profiles to fetch'))
    .addOption(new Option('--all', 'every profile of the manifest'))
    .addOption(new Option('--require-checksums', 'refuse files neither the manifest (sha256) nor the source vouches for (exit 65)'))
    .addOption(new Option('--model-uri <hf-uri>', 'a model without a manifest (hf://org/model[:revision]): its checkpoint, no GPU needed'))
    .addOption(new Option('--manifest-file <file>', 'with --model-uri: write the manifest built from the model here'))
    .addOption(jsonOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/download-to-cache.js')));

  program
    .command('create-model-store')
    .description("put one profile's files, as plain files, into a folder (air-gapped use with NIM_MODEL_NAME)")
    .addOption(manifestOpt()).addOption(cacheOpt())
    .addOption(new Option('--profile <id-or-name>', 'the profile to export').makeOptionMandatory())
    .addOption(new Option('--model-store <dir>', 'destination folder').makeOptionMandatory())
    .addOption(jsonOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/create-model-store.js')));

  const cache = program.command('cache').description('inspect and maintain the cache');
  for (const [name, description] of [
    ['ls', 'list cached profiles and blobs'],
    ['verify', 're-hash every blob and workspace file'],
    ['prune', 'remove what no profile of the manifest needs'],
  ] as const) {
    const sub = cache
      .command(name)
      .description(description)
      .addOption(cacheOpt()).addOption(manifestOpt()).addOption(jsonOpt()).addOption(verboseOpt());
    if (name === 'prune') sub.addOption(new Option('--dry-run', 'list what would be removed'));
    if (name === 'verify') sub.addOption(new Option('--repair', 'remove damaged blobs and profile folders, to be fetched again'));
    sub.action(action(() => import(`./commands/cache-${name}.js`) as Promise<{ run: CommandRun }>));
  }

  const manifest = program.command('manifest').description('check and inspect a model manifest');
  manifest
    .command('validate')
    .description('report every problem with file:line and key path')
    .argument('<file>', 'manifest file')
    .addOption(jsonOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/manifest-validate.js')));
  manifest
    .command('ids')
    .description('computed ids and names of every profile')
    .argument('<file>', 'manifest file')
    .addOption(jsonOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/manifest-ids.js')));
  manifest
    .command('generate')
    .description('the schema-2 manifest nimlet builds for a model (hf://org/model[:revision] or a Hugging Face folder)')
    .argument('<source>', 'hf://org/model[:revision] or a model folder')
    .addOption(verboseOpt())
    .action(action(() => import('./commands/manifest-generate.js')));

  program
    .command('doctor')
    .description('driver, GPUs, cache writability and free space, credentials, sources reachable')
    .addOption(manifestOpt()).addOption(cacheOpt()).addOption(jsonOpt()).addOption(verboseOpt())
    .action(action(() => import('./commands/doctor.js')));

  return program;
}
