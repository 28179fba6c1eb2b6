// Host facts as the short lines `gpus` and SYSTEM INFO print.
import type { HostFacts } from './facts.js';

/** 25276502016 → "23.5 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

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
