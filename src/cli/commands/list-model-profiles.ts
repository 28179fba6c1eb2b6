// nimlet list-model-profiles — not built yet.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async () => {
  throw new NimletError('internal', 'list-model-profiles is not implemented yet');
};
