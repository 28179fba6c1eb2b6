// Host facts for `gpus`, `list-model-profiles` (SYSTEM INFO) and `doctor`: CPU, memory, OS from systeminformation,
// loaded only when asked (it costs ~70 ms to import), and the free space of the cache's file system.
import { statfs } from 'node:fs/promises';
import path from 'node:path';

export interface HostFacts {
  cpu: { model: string | null; physicalCores: number | null; logicalCores: number | null };
  memory: { totalBytes: number | null; availableBytes: number | null };
  os: { name: string | null; kernel: string | null; arch: string | null };
  /** The file system that holds (or will hold) the cache folder; null when no cache folder was given. */
  cache: { dir: string; checkedDir: string; freeBytes: number; totalBytes: number } | null;
}

async function settled<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

/** statfs of the folder, or of its nearest existing parent when the cache was not created yet. */
export async function diskSpace(dir: string): Promise<{ checkedDir: string; freeBytes: number; totalBytes: number } | null> {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const s = await statfs(at);
      return { checkedDir: at, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return null;
      at = parent;
    }
  }
}

export async function describeHost(cacheDir?: string): Promise<HostFacts> {
  const si = (await import('systeminformation')).default;
  const [cpu, mem, os, disk] = await Promise.all([
    settled(si.cpu()),
    settled(si.mem()),
    settled(si.osInfo()),
    cacheDir === undefined ? Promise.resolve(null) : diskSpace(cacheDir),
  ]);
  const model = cpu ? [cpu.manufacturer, cpu.brand].filter((s) => s && s.trim()).join(' ').trim() || null : null;
  const osName = os ? [os.distro, os.release].filter((s) => s && s.trim() && s !== 'unknown').join(' ').trim() || null : null;
  return {
    cpu: { model, physicalCores: cpu?.physicalCores ?? null, logicalCores: cpu?.cores ?? null },
    memory: { totalBytes: mem?.total ?? null, availableBytes: mem?.available ?? null },
    os: { name: osName, kernel: os?.kernel ?? null, arch: os?.arch ?? null },
    cache: cacheDir === undefined || disk === null ? null : { dir: path.resolve(cacheDir), ...disk },
  };
}
