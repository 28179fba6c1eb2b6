// The engine's loopback port behind the front: NIMLET_ENGINE_PORT, or (0) one the kernel says is free now.
import net from 'node:net';
import { NimletError } from '../errors.js';

export const ENGINE_HOST = '127.0.0.1';

export async function pickEnginePort(requested: number, serverPort: number): Promise<number> {
  if (requested !== 0) {
    if (requested === serverPort) {
      throw new NimletError('bad-config', `NIMLET_ENGINE_PORT=${requested} is also the port nimlet serves on (NIM_SERVER_PORT)`, {
        hint: 'set NIMLET_ENGINE_PORT to another port, or to 0 for a free one',
      });
    }
    return requested;
  }
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, ENGINE_HOST, () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}
