// nimlet cache-ls — not built yet.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async () => {
  throw new NimletError('internal', 'cache-ls is not implemented yet');
};
