// nimlet download-to-cache — not built yet.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async () => {
  throw new NimletError('internal', 'download-to-cache is not implemented yet');
};
