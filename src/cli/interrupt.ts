// SIGTERM/SIGINT while nimlet itself works (manifest, probe, download): abort the work through an AbortSignal so
// the download stops cleanly (partials kept for the next start, nothing half-published) and nimlet exits
// 128+N (143 for SIGTERM, 130 for SIGINT). serve removes it before the engine starts (the runner forwards
// signals from then on); the download commands hold it for their whole run.
import { constants } from 'node:os';
import { NimletError } from '../errors.js';

const HANDLED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface Interrupt {
  /** Aborted on the first SIGTERM/SIGINT, its reason the interruption (error()); or when `parent` aborts. */
  signal: AbortSignal;
  /** The NimletError to end with when the work stopped because of the signal; null when no signal came. */
  error(): NimletError | null;
  /**
   * What work that failed with `err` ends with: the interruption when a signal of ours came, whatever the cache
   * layer threw on its way out (so it exits 128+N); else `err` itself.
   */
  outcome(err: unknown): unknown;
  /** Throws that error if a signal came (for work that could not watch the AbortSignal). */
  throwIfInterrupted(): void;
  dispose(): void;
}

/** How an interruption reads: what stopped, and what to do next. */
export interface InterruptWording {
  stopped: string;
  hint: string;
}

export const SERVE_WORDING: InterruptWording = {
  stopped: 'stopped before the engine started',
  hint: 'the cache is consistent; the next start resumes any download where it stopped',
};

/** The download commands (download-to-cache, create-model-store): held for their whole run. */
export const DOWNLOAD_WORDING: InterruptWording = {
  stopped: 'downloads stopped; the cache is consistent and the next run resumes',
  hint: 'run the same command again to resume',
};

export function interruptedBy(signal: NodeJS.Signals, wording: InterruptWording = SERVE_WORDING): NimletError {
  return new NimletError('interrupted', `interrupted by ${signal}: ${wording.stopped}`, {
    hint: wording.hint,
    exitCode: 128 + (constants.signals[signal] ?? 15),
  });
}

export function installInterrupt(
  parent: AbortSignal,
  proc: Pick<NodeJS.Process, 'on' | 'off' | 'exit'> = process,
  wording: InterruptWording = SERVE_WORDING,
): Interrupt {
  const controller = new AbortController();
  // built once, here: the abort's reason, which the cache throws as it stops, and what the command ends with
  let interruption: NimletError | null = null;
  const handlers = HANDLED.map((sig) => {
    const h = (): void => {
      // A second signal while the first is being honoured: the user (or `docker stop` before its SIGKILL)
      // will not wait. Safe at any point: the cache is consistent even under SIGKILL.
      if (interruption !== null) return void proc.exit(128 + (constants.signals[sig] ?? 15));
      interruption = interruptedBy(sig, wording);
      controller.abort(interruption);
    };
    proc.on(sig, h);
    return [sig, h] as const;
  });
  const error = (): NimletError | null => interruption;
  return {
    signal: AbortSignal.any([parent, controller.signal]),
    error,
    outcome: (err) => interruption ?? err,
    throwIfInterrupted() {
      const e = error();
      if (e) throw e;
    },
    dispose() {
      handlers.forEach(([sig, h]) => proc.off(sig, h));
    },
  };
}
