// serve's side of the front (DESIGN §11): open it before the probe and the download, feed it what serve
// chose, then hand it the engine to supervise. With NIMLET_FRONT=off serve never comes here.
import type { Settings } from '../config/env.js';
import { spawnEngine, type RunnableCommand } from '../engine/run.js';
import { ENGINE_HOST, pickEnginePort } from '../front/engine-port.js';
import type { LaunchInfo } from '../front/info.js';
import { createRequestLog } from '../front/request-log.js';
import { startFront, type Front } from '../front/server.js';
import { superviseEngine } from '../front/supervisor.js';
import type { Logger } from '../log/logger.js';
import type { CliContext } from './context.js';
import { packageVersion } from './version.js';

/** Where the engine listens: behind the front, loopback and a port of nimlet's; without it, as before. */
export async function engineListen(settings: Settings): Promise<{ host: string; port: number } | undefined> {
  if (!settings.front.enabled) return undefined;
  return { host: ENGINE_HOST, port: await pickEnginePort(settings.front.enginePort, settings.serverPort) };
}

export async function openFront(ctx: CliContext, settings: Settings, logger: Logger): Promise<Front> {
  const front = await startFront({
    host: '0.0.0.0',
    port: settings.serverPort,
    settings: settings.front,
    nimletVersion: packageVersion(),
    logRequest: settings.jsonLogging ? createRequestLog(logger) : null,
  });
  logger.info('front', `nimlet: serving NIM's paths on 0.0.0.0:${front.port}`, { port: front.port });
  return front;
}

/** Starts the engine under the front; resolves with the engine's exit status. */
export async function runBehindFront(front: Front, info: LaunchInfo, command: RunnableCommand, settings: Settings, port: number, logger: Logger): Promise<number> {
  front.setLaunch(info);
  front.readiness.starting('the engine is starting');
  let child;
  try {
    child = await spawnEngine(command);
  } catch (err) {
    front.readiness.stop('the engine could not start');
    await front.close();
    throw err;
  }
  front.attachEngine(port);
  return superviseEngine({ front, child, settings: settings.front, signals: process, logger });
}
