// Where the test fixtures live: the built CLI, the fake nvidia-smi and its machines, the fake engines.
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The built CLI (bin/nimlet → dist/): what the real-process tests start. */
export const BIN = path.join(ROOT, 'bin', 'nimlet');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
/** The fake nvidia-smi (a shell script) and the folder of fake machines it answers from. */
export const FAKE_NVSMI_DIR = path.join(FIXTURES, 'nvidia-smi');
export const FAKE_NVSMI = path.join(FAKE_NVSMI_DIR, 'nvidia-smi');
export const FAKE_ENGINE = path.join(FIXTURES, 'engines', 'fake-engine');
/** Node's own folder, for a PATH that must still start the fake engines (node scripts). */
export const NODE_DIR = path.dirname(process.execPath);

/** The folder of one fake machine (test/fixtures/nvidia-smi/machines/NAME). */
export const machineDir = (name: string): string => path.join(FAKE_NVSMI_DIR, 'machines', name);

/** The 8 GPU UUIDs of the fake h100-sxm-x8 machine, by index. */
export const H100_UUIDS = Array.from({ length: 8 }, (_, i) => `GPU-3f2a9c1${i}-7b4e-4d21-9a0c-5e8f1b2c3d4${i}`);
