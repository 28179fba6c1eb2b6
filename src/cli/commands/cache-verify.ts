// nimlet cache-verify — not built yet.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async () => {
  throw new NimletError('internal', 'cache-verify is not implemented yet');
};
