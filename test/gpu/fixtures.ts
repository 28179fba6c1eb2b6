// Reads the project's own nvidia-smi fixtures (test/fixtures/nvidia-smi/machines/NAME).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const FAKE_NVSMI_DIR = path.resolve(import.meta.dirname, '../fixtures/nvidia-smi');

export function machineFile(machine: string, file: 'query.csv' | 'L.txt'): string {
  return readFileSync(path.join(FAKE_NVSMI_DIR, 'machines', machine, file), 'utf8');
}

export function isOldDriver(machine: string): boolean {
  return existsSync(path.join(FAKE_NVSMI_DIR, 'machines', machine, 'old-driver'));
}
