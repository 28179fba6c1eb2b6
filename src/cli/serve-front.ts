// serve's side of the front (DESIGN §11): open it before the probe and the download, feed it what serve
// chose, then hand it the engine to supervise. With NIMLET_FRONT=off serve never comes here.
import { readFile } from 'node:fs/promises';
import type { Settings } from '../config/env.js';
import { NimletError } from '../errors.js';
import { FORWARDED_SIGNALS, spawnEngine, type RunDeps, type RunnableCommand } from '../engine/run.js';
import { ENGINE_HOST, pickEnginePort } from '../front/engine-port.js';
import type { LaunchInfo } from '../front/info.js';
import { createRequestLog } from '../front/request-log.js';
import { startFront, type Front, type FrontOptions } from '../front/server.js';
import { superviseEngine } from '../front/supervisor.js';
import type { Logger } from '../log/logger.js';
import type { GroupLink } from './group-link.js';
import { packageVersion } from './version.js';

/** Where the engine listens: behind the front, loopback and a port of nimlet's; without it, as before. */
export async function engineListen(settings: Settings): Promise<{ host: string; port: number } | undefined> {
  if (!settings.front.enabled) return undefined;
  return { host: ENGINE_HOST, port: await pickEnginePort(settings.front.enginePort, settings.serverPort) };
}

/** The PEM files NIM_SSL_MODE names, read once at start; one that cannot be read is 78 naming its variable. */
async function readTls(tls: Settings['front']['tls']): Promise<FrontOptions['tls']> {
  if (tls === null) return null;
  const read = async (name: string, file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new NimletError('bad-config', `${name}=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: `set ${name} to a readable PEM file (mounted into the container), or set NIM_SSL_MODE=DISABLED`, cause: err,
      });
    }
  };
  return {
    cert: await read('NIM_SSL_CERTS_PATH', tls.certPath),
    key: await read('NIM_SSL_KEY_PATH', tls.keyPath),
    ca: tls.caPath === null ? null : await read('NIM_SSL_CA_CERTS_PATH', tls.caPath),
  };
}

export async function openFront(settings: Settings, logger: Logger, link: GroupLink | null = null): Promise<Front> {
  const front = await startFront({
    tls: await readTls(settings.front.tls),
    host: '0.0.0.0',
    port: settings.serverPort,
    settings: settings.front,
    nimletVersion: packageVersion(),
    logRequest: settings.jsonLogging ? createRequestLog(logger) : null,
    healthOnly: settings.multiNode !== null && !settings.multiNode.leader,
    ...(link?.onGroupJoin ? { onGroupJoin: link.onGroupJoin } : {}),
  });
  const scheme = settings.front.tls === null ? 'http' : 'https';
  logger.info('front', `nimlet: serving NIM's paths on ${scheme}://0.0.0.0:${front.port}`, { port: front.port, scheme });
  return front;
}

/** Starts the engine under the front; resolves with the engine's exit status. */
export async function runBehindFront(front: Front, info: LaunchInfo, command: RunnableCommand, runDeps: RunDeps, settings: Settings, port: number, logger: Logger, link: GroupLink | null = null): Promise<number> {
  front.setLaunch(info);
  front.readiness.starting('the engine is starting');
  // a signal while the engine is being started is not lost (nor fatal): the supervisor acts on it once it holds it
  const held: NodeJS.Signals[] = [];
  const holders = FORWARDED_SIGNALS.map((sig) => [sig, (): void => void held.push(sig)] as const);
  holders.forEach(([sig, h]) => process.on(sig, h));
  let child;
  try {
    child = await spawnEngine(command, runDeps);
  } catch (err) {
    front.readiness.stop('the engine could not start');
    await front.close();
    throw err;
  } finally {
    holders.forEach(([sig, h]) => process.off(sig, h));
  }
  const group = settings.multiNode;
  if (group !== null && !group.leader) {
    // a worker's engine (vLLM --headless, SGLang rank ≥ 1) serves no HTTP: it is ready while it runs, and the
    // supervisor turns readiness 503 when it exits (DESIGN §14)
    front.readiness.engineHealth(true, `rank ${group.rank} of ${group.nodes} is running`);
  } else {
    front.attachEngine(port);
  }
  link?.connect();
  const status = await superviseEngine({ front, child, settings: settings.front, signals: link?.signals ?? process, logger, held });
  // a broken group must restart its pods even when the engine stopped cleanly (DESIGN §14)
  return link?.broken() === true && status === 0 ? 1 : status;
}
