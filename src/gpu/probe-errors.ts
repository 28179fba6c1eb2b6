// Sorts a failed nvidia-smi call into the failures real hosts show, each with its own message and hint
// (DESIGN §5: failures are diagnosed, not hidden).
import { constants } from 'node:os';
import { NimletError } from '../errors.js';
import type { CommandOutcome } from './run-command.js';

const CONTAINER_HINT =
  'in Docker, run with `--gpus all` (the NVIDIA Container Toolkit must be installed on the host); on Kubernetes, '
  + 'request `nvidia.com/gpu` and use the nvidia runtime class; on a plain host, install the NVIDIA driver';

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (constants.signals as Record<string, number | undefined>)[signal];
}

/** The NimletError for an nvidia-smi call that did not answer with exit 0. */
export function diagnoseFailure(outcome: CommandOutcome, command: string, timeoutMs: number): NimletError {
  switch (outcome.kind) {
    case 'spawn-failed':
      if (outcome.errno === 'ENOENT') {
        return new NimletError('no-gpu', `${command} was not found on PATH: no NVIDIA driver is visible here`, {
          hint: CONTAINER_HINT,
        });
      }
      return new NimletError('gpu-probe-failed', `${command} could not be started (${outcome.errno}): ${outcome.message}`, {
        hint: `check that ${command} is an executable file (ls -l "$(command -v ${command})")`,
      });
    case 'timed-out':
      return new NimletError('gpu-probe-failed', `${command} did not answer within ${timeoutMs / 1000} s and was stopped`, {
        hint: 'the driver may be hung or still initialising: check `dmesg` for Xid errors, enable persistence mode '
          + '(nvidia-persistenced, or `nvidia-smi -pm 1`), or allow longer with NIMLET_PROBE_TIMEOUT=<seconds>',
      });
    case 'signalled': {
      const n = signalNumber(outcome.signal);
      return new NimletError('gpu-probe-failed', `${command} was killed by ${outcome.signal}${n ? ` (signal ${n})` : ''}`, {
        hint: 'nvidia-smi crashed: its user-space driver library probably does not match the loaded kernel module '
          + '(after a driver upgrade, reboot; in a container, check the host\'s `nvidia-smi` and `dmesg`)',
      });
    }
    case 'exited': {
      const said = `${outcome.stdout}\n${outcome.stderr}`;
      if (outcome.code === 9 || /couldn't communicate with the NVIDIA driver/i.test(said)) {
        return new NimletError('gpu-probe-failed', `${command} couldn't communicate with the NVIDIA driver (exit ${outcome.code})`, {
          hint: 'the driver is not loaded or does not match nvidia-smi: on the host, check `nvidia-smi`, '
            + '`lsmod | grep nvidia` and `dmesg`; after a driver upgrade, reboot; ' + CONTAINER_HINT,
        });
      }
      if (outcome.code === 6 || /No devices were found/i.test(said)) {
        return new NimletError('no-gpu', `${command} found no GPU: "No devices were found" (exit ${outcome.code})`, {
          hint: 'check that the GPUs are attached and healthy (`lspci | grep -i nvidia`, `dmesg` for Xid errors) and that '
            + 'this container was given GPUs (`--gpus all`, NVIDIA_VISIBLE_DEVICES)',
        });
      }
      const detail = firstLine(outcome.stderr) || firstLine(outcome.stdout);
      return new NimletError('gpu-probe-failed', `${command} failed with exit ${outcome.code}${detail ? `: ${detail}` : ''}`, {
        hint: `run \`${command}\` by hand to see the whole message`,
      });
    }
  }
}
