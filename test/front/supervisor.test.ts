// The supervisor's order of events with a fake engine, fake signals and a fake front, on fake timers.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Front } from '../../src/front/server.js';
import { superviseEngine } from '../../src/front/supervisor.js';
import { createLogger } from '../../src/log/logger.js';

function setup(held: NodeJS.Signals[] = []) {
  const events: string[] = [];
  const child = Object.assign(new EventEmitter(), { kill: (sig: string) => (events.push(`engine ${sig}`), true) }) as unknown as ChildProcess;
  const signals = new EventEmitter();
  let idle: (v: boolean) => void = () => {};
  const front = {
    readiness: { stop: (d: string) => events.push(`not ready: ${d}`) },
    refuseNew: () => events.push('refuse new'),
    inFlight: () => 2,
    whenIdle: () => new Promise<boolean>((r) => (idle = r)),
    close: async () => void events.push('front closed'),
  } as unknown as Front;
  const done = superviseEngine({
    front, child, held, signals: signals as unknown as NodeJS.Process, logger: createLogger({ write: () => {}, jsonl: false, level: 'error' }),
    settings: { drainDelayMs: 1000, drainTimeoutMs: 5000, killAfterMs: 3000 },
  });
  return { events, child, signals, done, finishInFlight: () => idle(true) };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('superviseEngine', () => {
  it('SIGTERM: not ready at once; refused after the delay; the engine stopped only once nothing is in flight', async () => {
    const s = setup();
    s.signals.emit('SIGTERM');
    expect(s.events).toEqual(['not ready: shutting down (SIGTERM)']);
    await vi.advanceTimersByTimeAsync(999);
    expect(s.events).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.events.at(-1)).toBe('refuse new');
    await vi.advanceTimersByTimeAsync(4000);
    expect(s.events.at(-1)).toBe('refuse new'); // two requests still running
    s.finishInFlight();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.events.at(-1)).toBe('engine SIGTERM');
    s.child.emit('exit', 42, null);
    expect(await s.done).toBe(42);
    expect(s.events.slice(-2)).toEqual(['not ready: the engine exited with status 42', 'front closed']);
  });

  it('an engine that outlives its SIGTERM gets SIGKILL after the kill delay; 137', async () => {
    const s = setup();
    s.signals.emit('SIGINT');
    await vi.advanceTimersByTimeAsync(1000);
    s.finishInFlight();
    await vi.advanceTimersByTimeAsync(2999);
    expect(s.events.at(-1)).toBe('engine SIGINT');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.events.at(-1)).toBe('engine SIGKILL');
    s.child.emit('exit', null, 'SIGKILL');
    expect(await s.done).toBe(137);
  });

  it('a signal held while the engine started is acted on at once; other signals pass straight through', async () => {
    const s = setup(['SIGTERM']);
    expect(s.events).toEqual(['not ready: shutting down (SIGTERM)']);
    s.signals.emit('SIGHUP');
    expect(s.events.at(-1)).toBe('engine SIGHUP');
    s.signals.emit('SIGTERM'); // a second one: the engine's at once, no more waiting
    expect(s.events.at(-1)).toBe('engine SIGTERM');
    s.child.emit('exit', 0, null);
    expect(await s.done).toBe(0);
    expect(s.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('an engine that exits on its own: not ready first, then the front closes; its status', async () => {
    const s = setup();
    s.child.emit('exit', 3, null);
    expect(await s.done).toBe(3);
    expect(s.events).toEqual(['not ready: the engine exited with status 3', 'front closed']);
  });
});
