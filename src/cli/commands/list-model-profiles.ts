// nimlet list-model-profiles: the listing NIM users know, and why each profile fits or not. A host without a
// GPU still gets the listing (every profile incompatible, the reason stated) and exit 0 — also with a pin that
// names a real profile: the listing shows why it cannot run, and stderr says serve would refuse it.
import { isNimletError } from '../../errors.js';
import { inventoryToJson } from '../../gpu/format.js';
import { formatProfiles, formatSystemInfo, listingJson, type ListingOptions } from '../../select/listing.js';
import { chooseProfile } from '../../select/select.js';
import type { Selection } from '../../select/types.js';
import type { CommandRun } from '../context.js';
import { describeEngines } from '../engines-present.js';
import { prepareSelection } from '../prepare-selection.js';

export const run: CommandRun = async (ctx, options) => {
  const { settings, inventory, evaluations, request, engines } = await prepareSelection(ctx, options, 'listing');
  let selection: Selection | null = null;
  let pinError: unknown = null;
  try {
    selection = chooseProfile(evaluations, inventory, request);
  } catch (e) {
    if (!isNimletError(e)) throw e;
    // Nothing runnable, or a pinned profile that cannot run here, is what the listing shows (exit 0, as DESIGN §1
    // asks of a host without GPUs). A pin that names no profile, or two, is the pin's error and exit code after the
    // listing: it is what the user needs to fix the pin.
    if (e.code === 'profile-not-runnable') {
      // under --json the listing's statuses say it; stderr stays free for an error object
      if (!options.json) ctx.stderr(`nimlet: note: ${e.message}; serve would refuse it (exit ${e.exitCode})\n`);
    } else if (e.code !== 'no-runnable-profile') pinError = e;
  }
  const opts: ListingOptions = { selection, request, explain: options.explain === true };
  if (options.json) {
    const system = { ...inventoryToJson(inventory), absentReason: inventory.absentReason, engines };
    // One line: 2,000 profiles pretty-printed cost more than the listing itself; `jq` makes it readable.
    ctx.stdout(JSON.stringify(listingJson(system, evaluations, opts)) + '\n');
  } else {
    // Host facts (DESIGN §5) for people only: systeminformation loads here, never on the --json path a script times.
    const [{ describeHost }, { formatHostFacts }] = await Promise.all([import('../../host/facts.js'), import('../../host/format.js')]);
    const host = ['- Host:', ...formatHostFacts(await describeHost(settings.cacheDir)).map((l) => `  ${l}`)];
    const engineLine = `- Engines: ${describeEngines(engines)}`;
    ctx.stdout([...formatSystemInfo(inventory), engineLine, ...host, ...formatProfiles(evaluations, opts)].join('\n') + '\n');
  }
  if (pinError !== null) throw pinError;
  return 0;
};
