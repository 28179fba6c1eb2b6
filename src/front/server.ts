// The front's HTTP server (DESIGN §11): NIM's own paths answered here, everything else piped to the engine.
// It listens before the GPU probe and the download, so liveness and readiness answer from the first second.
import type { FrontSettings } from '../config/front.js';
import type { ClientRequest, ClientResponse } from './client-exchange.js';
import { pollHealth, type HealthPoll } from './health-poll.js';
import { manifestBody, metadataBody, versionBody, type LaunchInfo } from './info.js';
import { ENGINE_HOST } from './engine-port.js';
import { askEngineVersion } from './engine-version.js';
import { listenFront, type ListenOptions } from './listen.js';
import { fetchEngineMetrics, formatOwnMetrics } from './metrics.js';
import { preflight, responseCors } from './cors.js';
import { createUpstream, proxyRequest, type Upstream } from './proxy.js';
import { createReadiness, type Readiness } from './readiness.js';
import type { RequestLog } from './request-log.js';

export interface FrontOptions extends ListenOptions {
  settings: Pick<FrontSettings, 'healthPollMs' | 'cors'>;
  nimletVersion: string;
  /** Called once per finished request; null: no request log. */
  logRequest: RequestLog | null;
  /** A multi-node worker (DESIGN §11, §14): only live and ready, for its own engine; everything else is the leader's. */
  healthOnly?: boolean;
  /** A multi-node leader: a worker holds GROUP_PATH open while it runs; `left` settles when its connection ends. */
  onGroupJoin?: (rank: number, left: Promise<void>) => void;
}

/** The path a multi-node worker holds open on the leader's front, so each side learns at once when the other goes. */
export const GROUP_PATH = '/v1/nimlet/group';

export interface Front {
  port: number;
  readiness: Readiness;
  setLaunch(info: LaunchInfo): void;
  /** The engine listens (or soon will) on 127.0.0.1:port: proxy there and poll its /health. */
  attachEngine(port: number): void;
  /** Stops accepting: new connections are refused, new requests on open ones get 503. */
  refuseNew(): void;
  inFlight(): number;
  /** Resolves true once no request is in flight, false if `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A JSON answer; its body's size in bytes. `extra`: more fields, [name, value, …]. */
const json = (res: ClientResponse, status: number, body: unknown, extra: string[] = []): number => {
  const text = JSON.stringify(body);
  const n = Buffer.byteLength(text);
  res.writeHead(status, null, ['content-type', 'application/json', 'content-length', String(n), ...extra]).end(text);
  return n;
};

function joinGroup(req: ClientRequest, res: ClientResponse, onJoin: NonNullable<FrontOptions['onGroupJoin']>): void {
  const rank = Number(new URL(req.target, 'http://x').searchParams.get('rank'));
  if (!Number.isInteger(rank) || rank < 1) return void json(res, 400, { error: 'rank must be a whole number ≥ 1' });
  req.socket.setKeepAlive(true, 10_000);
  res.writeHead(200, null, ['content-type', 'text/plain', 'cache-control', 'no-store']).write('joined\n');
  onJoin(rank, new Promise((resolve) => res.onClose(() => resolve())));
}

export async function startFront(opts: FrontOptions): Promise<Front> {
  const readiness = createReadiness();
  let upstream: Upstream | null = null;
  let launch: LaunchInfo | null = null;
  let engineVersion: string | null = null;
  let poll: HealthPoll | null = null;
  let refusing = false;
  let inFlight = 0;
  let total = 0;
  let idleWaiters: (() => void)[] = [];

  const local = async (res: ClientResponse, path: string): Promise<number | null> => {
    switch (path) {
      case '/v1/health/live': return json(res, 200, { status: 'live' });
      case '/v1/health/ready': {
        const a = readiness.answer();
        return json(res, a.status, a.body);
      }
      case '/v1/metadata': return json(res, 200, metadataBody(launch, opts.nimletVersion, engineVersion));
      case '/v1/version': return json(res, 200, versionBody(opts.nimletVersion));
      case '/v1/manifest': return launch === null ? json(res, 503, { error: 'no profile is selected yet' }) : json(res, 200, manifestBody(launch));
      case '/v1/metrics': {
        const text = (await fetchEngineMetrics(upstream)) + formatOwnMetrics({
          downloadedBytes: readiness.downloadedBytes(), timeToReadySeconds: readiness.timeToReadySeconds(), inFlight, requestsTotal: total,
        });
        res.writeHead(200, null, ['content-type', 'text/plain; version=0.0.4; charset=utf-8', 'content-length', String(Buffer.byteLength(text))]).end(text);
        return Buffer.byteLength(text);
      }
      default: return null;
    }
  };

  const handle = (req: ClientRequest, res: ClientResponse): void => {
    const started = performance.now();
    const path = req.path;
    // held open for the group's life, so neither counted in flight (a drain would wait for it) nor logged as a request
    if (path === GROUP_PATH && opts.onGroupJoin && !refusing) return joinGroup(req, res, opts.onGroupJoin);
    let bytes = 0;
    inFlight++;
    total++;
    res.onClose((completed) => {
      inFlight--;
      opts.logRequest?.({ method: req.method, path, status: res.statusCode, durationMs: performance.now() - started, bytes, completed });
      if (inFlight === 0) idleWaiters.splice(0).forEach((w) => w());
    });
    if (refusing) {
      res.closeAfter();
      return void (bytes = json(res, 503, { error: 'nimlet is shutting down' }));
    }
    if (opts.healthOnly === true && path !== '/v1/health/live' && path !== '/v1/health/ready') {
      return void (bytes = json(res, 404, { error: 'this is a worker of a multi-node group: it serves only /v1/health/live and /v1/health/ready; send requests to the leader' }));
    }
    const cors = opts.settings.cors;
    if (cors !== null) {
      const header = (name: string): string | undefined => req.header(name);
      const pf = preflight(cors, req.method, header);
      if (pf !== null) return void res.writeHead(pf.status, null, [...Object.entries(pf.headers).flat(), 'content-length', String(pf.body.length)]).end(pf.body);
      for (const [k, v] of Object.entries(responseCors(cors, header))) res.setField(k, v);
    }
    const forward = (): void => {
      if (upstream === null) {
        bytes = json(res, 503, { error: { message: `the model is not being served yet (${readiness.stage()})`, type: 'service_unavailable' } }, ['retry-after', '10']);
        return;
      }
      proxyRequest(req, res, upstream, opts.logRequest === null ? null : (b) => (bytes += b), cors !== null);
    };
    // NIM's paths are NIM's only for reads: any other method there is the engine's to answer (at once: a
    // completion's first token should not wait for a promise turn)
    if (req.method !== 'GET' && req.method !== 'HEAD') return forward();
    void local(res, path).then((n) => (n === null ? forward() : void (bytes = n)), () => res.destroy());
  };

  const { server, clients } = await listenFront(opts, handle);
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : opts.port,
    readiness,
    setLaunch: (info) => void (launch = info),
    attachEngine(port) {
      upstream?.close();
      const engine = createUpstream(ENGINE_HOST, port);
      upstream = engine;
      let versionAsked = false;
      poll = pollHealth(engine, opts.settings.healthPollMs, async (ok, detail) => {
        // the version first, so that /v1/metadata names it by the time readiness says 200
        if (ok && !versionAsked) {
          versionAsked = true;
          engineVersion = await askEngineVersion(engine);
        }
        readiness.engineHealth(ok, detail);
      });
    },
    refuseNew() {
      refusing = true;
      server.close(); // no new connections
      clients.closeIdle(); // nor new requests on idle kept-alive ones
    },
    inFlight: () => inFlight,
    whenIdle(timeoutMs) {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async close() {
      poll?.stop();
      idleWaiters = [];
      server.close();
      clients.closeAll();
      upstream?.close();
    },
  };
}

