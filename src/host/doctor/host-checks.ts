// Doctor: the host facts of DESIGN §5 (CPU, memory, OS) as information lines; the cache's free disk is the
// cache check's. Only memory can warn: an engine loading weights needs the host RAM to stage them.
import { formatBytes } from '../../format-bytes.js';
import { describeHost } from '../facts.js';
import { check, type Check } from './check.js';

const LOW_MEMORY_BYTES = 8 * 2 ** 30;

export async function checkHost(): Promise<Check[]> {
  const facts = await describeHost();
  const cores = [facts.cpu.physicalCores, facts.cpu.logicalCores];
  const cpu = `${facts.cpu.model ?? 'unknown CPU'}${cores[1] !== null ? ` (${cores[0] ?? '?'} cores, ${cores[1]} threads)` : ''}`;
  const os = [facts.os.name, facts.os.kernel && `kernel ${facts.os.kernel}`, facts.os.arch].filter(Boolean).join(', ') || 'unknown';
  const { totalBytes, availableBytes } = facts.memory;
  const memory = totalBytes === null
    ? check('memory', 'warn', 'cannot read the host memory')
    : availableBytes !== null && availableBytes < LOW_MEMORY_BYTES
      ? check('memory', 'warn', `${formatBytes(totalBytes)} total, only ${formatBytes(availableBytes)} available`,
        'engines stage weights through host memory: free memory, or give the container a larger memory limit')
      : check('memory', 'ok', `${formatBytes(totalBytes)} total, ${availableBytes === null ? 'unknown' : formatBytes(availableBytes)} available`);
  return [check('cpu', 'ok', cpu), memory, check('os', 'ok', os)];
}
