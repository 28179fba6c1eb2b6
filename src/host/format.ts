// Host facts as the short lines `gpus` and SYSTEM INFO print.
import { formatBytes } from '../format-bytes.js';
import type { HostFacts } from './facts.js';

const unknown = 'unknown';

export function formatHostFacts(facts: HostFacts): string[] {
  const cores = [
    facts.cpu.physicalCores !== null ? `${facts.cpu.physicalCores} cores` : null,
    facts.cpu.logicalCores !== null ? `${facts.cpu.logicalCores} threads` : null,
  ].filter(Boolean).join(', ');
  const lines = [
    `CPU:     ${facts.cpu.model ?? unknown}${cores ? ` (${cores})` : ''}`,
    `Memory:  ${facts.memory.totalBytes !== null ? formatBytes(facts.memory.totalBytes) : unknown} total, `
      + `${facts.memory.availableBytes !== null ? formatBytes(facts.memory.availableBytes) : unknown} available`,
    `OS:      ${facts.os.name ?? unknown}${facts.os.kernel ? `, kernel ${facts.os.kernel}` : ''}${facts.os.arch ? ` (${facts.os.arch})` : ''}`,
  ];
  if (facts.cache) lines.push(`Cache:   ${facts.cache.dir}: ${formatBytes(facts.cache.freeBytes)} free of ${formatBytes(facts.cache.totalBytes)}`);
  return lines;
}
