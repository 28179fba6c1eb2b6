import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installInterrupt } from '../../src/cli/interrupt.js';

const fakeProcess = () => new EventEmitter() as unknown as Pick<NodeJS.Process, 'on' | 'off'> & EventEmitter;

describe('installInterrupt', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s aborts the work and ends %s', (sig, exitCode) => {
    const proc = fakeProcess();
    const it_ = installInterrupt(new AbortController().signal, proc);
    expect(it_.signal.aborted).toBe(false);
    expect(() => it_.throwIfInterrupted()).not.toThrow();
    proc.emit(sig);
    proc.emit('SIGTERM');
    expect(it_.signal.aborted).toBe(true);
    expect(it_.error()).toMatchObject({ code: 'interrupted', exitCode, message: `interrupted by ${sig}: stopped before the engine started` });
    it_.dispose();
    expect(proc.listenerCount('SIGTERM') + proc.listenerCount('SIGINT')).toBe(0);
  });

  it('follows the parent signal', () => {
    const parent = new AbortController();
    const it_ = installInterrupt(parent.signal, fakeProcess());
    parent.abort();
    expect(it_.signal.aborted).toBe(true);
    expect(it_.error()).toBeNull();
  });
});
