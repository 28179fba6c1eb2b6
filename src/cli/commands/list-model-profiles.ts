// nimlet list-model-profiles: the listing NIM users know, and why each profile fits or not. A host without a
// GPU still gets the listing (every profile incompatible, the reason stated) and exit 0.
import { isNimletError } from '../../errors.js';
import { inventoryToJson } from '../../gpu/format.js';
import { formatProfiles, formatSystemInfo, listingJson, type ListingOptions } from '../../select/listing.js';
import { chooseProfile } from '../../select/select.js';
import type { Selection } from '../../select/types.js';
import type { CommandRun } from '../context.js';
import { prepareSelection } from '../prepare-selection.js';

export const run: CommandRun = async (ctx, options) => {
  const { inventory, evaluations, request } = await prepareSelection(ctx, options, 'listing');
  let selection: Selection | null = null;
  let pinError: unknown = null;
  try {
    selection = chooseProfile(evaluations, inventory, request);
  } catch (e) {
    if (!isNimletError(e)) throw e;
    // Nothing runnable is what the listing shows (exit 0). A bad pin is the pin's error and exit code (DESIGN
    // §4), after the listing: it is what the user needs to fix the pin.
    if (e.code !== 'no-runnable-profile') pinError = e;
  }
  const opts: ListingOptions = { selection, request, explain: options.explain === true };
  if (options.json) {
    const system = { ...inventoryToJson(inventory), absentReason: inventory.absentReason };
    // One line: 2,000 profiles pretty-printed cost more than the listing itself; `jq` makes it readable.
    ctx.stdout(JSON.stringify(listingJson(system, evaluations, opts)) + '\n');
  } else {
    ctx.stdout([...formatSystemInfo(inventory), ...formatProfiles(evaluations, opts)].join('\n') + '\n');
  }
  if (pinError !== null) throw pinError;
  return 0;
};
