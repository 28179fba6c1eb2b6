// nimlet doctor — not built yet.
import { NimletError } from '../../errors.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async () => {
  throw new NimletError('internal', 'doctor is not implemented yet');
};
