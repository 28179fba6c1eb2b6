// The front's listening socket: plain HTTP, or TLS/MTLS for NIM_SSL_MODE; a port that cannot be had is 78. The
// connections it accepts are served by the front's own HTTP server (client-server.ts).
import net from 'node:net';
import tls from 'node:tls';
import { NimletError } from '../errors.js';
import { createClientServer, type ClientHandler, type ClientServer } from './client-server.js';

/** Where the front listens; `tls`: PEM contents for NIM_SSL_MODE=TLS/MTLS (a CA: client certificates required), null: plain HTTP. */
export interface ListenOptions {
  host: string;
  port: number;
  tls: { cert: Buffer; key: Buffer; ca: Buffer | null } | null;
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): NimletError {
  const why = err.code === 'EADDRINUSE' ? 'is in use' : err.code === 'EACCES' ? 'needs privileges nimlet does not have' : `cannot be used (${err.message})`;
  return new NimletError('bad-config', `port ${port} on ${host} ${why}: nimlet cannot serve there`, {
    hint: 'set NIM_SERVER_PORT to a free port (1024 or above without root), or stop what listens there', cause: err,
  });
}

function createServer(opts: Pick<ListenOptions, 'tls'>, accept: (socket: net.Socket) => void): net.Server {
  if (opts.tls === null) return net.createServer({ noDelay: true }, accept);
  const { cert, key, ca } = opts.tls;
  try {
    // MTLS: a client without a certificate signed by the CA is refused in the handshake, probes included
    return tls.createServer({ cert, key, ALPNProtocols: ['http/1.1'], ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}) }, accept);
  } catch (err) {
    throw new NimletError('bad-config', `the TLS certificate or key is not usable: ${(err as Error).message}`, {
      hint: 'set NIM_SSL_CERTS_PATH and NIM_SSL_KEY_PATH to a PEM certificate and its private key (and NIM_SSL_CA_CERTS_PATH to PEM CAs for MTLS)',
      cause: err,
    });
  }
}

export async function listenFront(opts: ListenOptions, handle: ClientHandler): Promise<{ server: net.Server; clients: ClientServer }> {
  const clients = createClientServer(handle);
  const server = createServer(opts, (socket) => clients.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, opts.host, opts.port)));
    server.listen(opts.port, opts.host, () => resolve());
  });
  return { server, clients };
}
