// nimlet as the engine's parent behind the front (DESIGN §8, §11). SIGTERM and a first SIGINT drain: readiness
// 503 at once, new requests still served for the drain delay (a Kubernetes Service takes a few seconds to stop
// sending), then refused; in-flight requests get a bounded time to finish; then the engine gets the signal and,
// if it outlives the kill delay, SIGKILL. A second SIGINT and every other signal reach the engine at once.
// An engine that exits on its own turns readiness 503 first; nimlet then ends with its status.
import type { ChildProcess } from 'node:child_process';
import type { FrontSettings } from '../config/front.js';
import { exitStatusOf, FORWARDED_SIGNALS } from '../engine/run.js';
import type { Logger } from '../log/logger.js';
import type { Front } from './server.js';

export interface SuperviseOptions {
  front: Front;
  child: ChildProcess;
  settings: Pick<FrontSettings, 'drainDelayMs' | 'drainTimeoutMs' | 'killAfterMs'>;
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  logger: Logger;
  /** Signals that came while the engine was being started, acted on at once, in order. */
  held?: readonly NodeJS.Signals[];
}

/** Resolves with the engine's exit status (or 128+N for the signal that ended it). */
export function superviseEngine({ front, child, settings, signals, logger, held = [] }: SuperviseOptions): Promise<number> {
  return new Promise((resolve) => {
    let exited = false;
    let draining = false;
    let killTimer: NodeJS.Timeout | undefined;
    let delayTimer: NodeJS.Timeout | undefined;
    const forward = (sig: NodeJS.Signals): void => void (exited || child.kill(sig));

    const stopEngine = (sig: NodeJS.Signals): void => {
      if (exited) return;
      logger.info('engine_stop', `nimlet: stopping the engine (${sig}; SIGKILL after ${settings.killAfterMs} ms)`, { signal: sig });
      forward(sig);
      killTimer = setTimeout(() => forward('SIGKILL'), settings.killAfterMs);
    };

    const drain = (sig: NodeJS.Signals): void => {
      front.readiness.stop(`shutting down (${sig})`);
      logger.info('drain', `nimlet: ${sig}: not ready; serving new requests ${settings.drainDelayMs} ms more, then up to `
        + `${settings.drainTimeoutMs} ms for the ${front.inFlight()} in flight`, { signal: sig, inFlight: front.inFlight() });
      delayTimer = setTimeout(() => {
        front.refuseNew();
        void front.whenIdle(settings.drainTimeoutMs).then((idle) => {
          if (!idle) logger.warning('drain_timeout', `nimlet: ${front.inFlight()} request(s) still in flight after ${settings.drainTimeoutMs} ms; stopping the engine anyway`);
          stopEngine(sig);
        });
      }, settings.drainDelayMs);
    };

    const handlers = FORWARDED_SIGNALS.map((sig) => {
      const h = (): void => {
        if ((sig === 'SIGTERM' || sig === 'SIGINT') && !draining) {
          draining = true;
          return drain(sig);
        }
        // a second SIGTERM/SIGINT (someone will not wait) or any other signal: the engine's at once
        clearTimeout(delayTimer);
        forward(sig);
      };
      signals.on(sig, h);
      return [sig, h] as const;
    });
    for (const sig of held) handlers.find(([s]) => s === sig)?.[1]();

    child.once('exit', (code, signal) => {
      exited = true;
      const status = exitStatusOf(code, signal);
      front.readiness.stop(`the engine exited with status ${status}`);
      if (!draining) logger.error('engine_exit', `nimlet: the engine exited with status ${status}; nimlet exits with it`, { status });
      handlers.forEach(([sig, h]) => signals.off(sig, h));
      clearTimeout(killTimer);
      clearTimeout(delayTimer);
      void front.close().then(() => resolve(status));
    });
  });
}
