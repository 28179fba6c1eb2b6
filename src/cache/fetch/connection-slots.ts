// NIMLET_MAX_CONNECTIONS: the connections all files being fetched by this process hold together. A file's first
// connection never waits (every file makes progress, none starves); its extra ones take a slot, or wait for one.
// One count for the process: files are fetched by a pool of independent tasks that share nothing else.

let held = 0;
const waiting: Array<() => void> = [];

export interface Slot { release(): void }

function slot(): Slot {
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      held--;
      waiting.shift()?.();
    },
  };
}

/** A file's first connection: counted, never refused. */
export function firstConnection(): Slot {
  held++;
  return slot();
}

/** An extra connection: resolves when fewer than `max` are held; null when `signal` ends the wait. */
export function extraConnection(max: number, signal: AbortSignal): Promise<Slot | null> {
  if (held < max) {
    held++;
    return Promise.resolve(slot());
  }
  return new Promise((resolve) => {
    const wake = () => {
      if (held < max) {
        signal.removeEventListener('abort', onAbort);
        held++;
        resolve(slot());
      } else {
        waiting.push(wake);
      }
    };
    const onAbort = () => {
      const i = waiting.indexOf(wake);
      if (i >= 0) waiting.splice(i, 1);
      resolve(null);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    waiting.push(wake);
  });
}

/** For tests: connections held now. */
export const connectionsHeld = (): number => held;
