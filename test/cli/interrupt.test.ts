import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installInterrupt } from '../../src/cli/interrupt.js';

/** A process stand-in that records exit() instead of exiting. */
function fakeProcess() {
  const exits: number[] = [];
  const proc = Object.assign(new EventEmitter(), { exit: (code?: number) => void exits.push(code ?? 0), exits });
  return proc as unknown as Pick<NodeJS.Process, 'on' | 'off' | 'exit'> & EventEmitter & { exits: number[] };
}

describe('installInterrupt', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s aborts the work and ends %s', (sig, exitCode) => {
    const proc = fakeProcess();
    const it_ = installInterrupt(new AbortController().signal, proc);
    expect(it_.signal.aborted).toBe(false);
    expect(() => it_.throwIfInterrupted()).not.toThrow();
    proc.emit(sig);
    expect(proc.exits).toEqual([]);
    expect(it_.signal.aborted).toBe(true);
    expect(it_.error()).toMatchObject({ code: 'interrupted', exitCode, message: `interrupted by ${sig}: stopped before the engine started` });
    // one error: the abort's reason (what the cache throws as it stops) is what the command ends with, whatever failed
    expect(it_.signal.reason).toBe(it_.error());
    expect(it_.outcome(new Error('socket closed'))).toBe(it_.error());
    // a second signal does not wait for the work to wind down: exit at once with its status
    proc.emit('SIGTERM');
    expect(proc.exits).toEqual([143]);
    expect(it_.error()).toMatchObject({ exitCode });
    it_.dispose();
    expect(proc.listenerCount('SIGTERM') + proc.listenerCount('SIGINT')).toBe(0);
  });

  it('follows the parent signal', () => {
    const parent = new AbortController();
    const it_ = installInterrupt(parent.signal, fakeProcess());
    parent.abort();
    expect(it_.signal.aborted).toBe(true);
    expect(it_.error()).toBeNull();
    const err = new Error('the work failed on its own');
    expect(it_.outcome(err)).toBe(err);
  });
});
