// The Node floor rows of bench/front.mjs (bench/front-floors.mjs): another process where nimlet sits, passing the
// stand-in engine's streams on and nothing more.
//   minimal  the node:http proxy a user would write: http.createServer + http.request + pipe, a keep-alive agent
//   bare     the least a Node process can do: no HTTP library either side, request bytes passed to a pooled engine
//            connection as they came, the answer's bytes back as they came. It knows only this bench's traffic
//            (one request at a time per connection, Content-Length request bodies, chunked answers whose end is
//            the `0\r\n\r\n` at the end of a read): a floor to read figures against, not a proxy.
// Both let go of their idle engine connections when the bench says 'drop' (after their row), as nimlet's pool does
// after 4 s idle by itself: left to the engine's 120 s keep-alive, 512 of them closed at once in a later row.
// Usage: node bench/front-proxy-child.mjs minimal|bare PORT UPSTREAM_PORT
import http from 'node:http';
import net from 'node:net';

const [kind, port, upstreamPort] = process.argv.slice(2);
const listening = () => process.send?.('listening');

if (kind === 'minimal') {
  const agent = new http.Agent({ keepAlive: true });
  process.on('message', (m) => m === 'drop' && agent.destroy());
  http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
    const up = http.request({ host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => res.writableFinished || up.destroy());
    req.pipe(up);
  }).listen(Number(port), '127.0.0.1', listening);
} else if (kind === 'bare') {
  const idle = [];
  process.on('message', (m) => m === 'drop' && idle.splice(0).forEach((s) => s.destroy()));
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const connect = () => {
    const s = net.connect({ port: Number(upstreamPort), host: '127.0.0.1', noDelay: true, onread: { buffer: readBuffer, callback: (n, b) => relay(s, b.subarray(0, n)) } });
    s.on('error', () => {});
    // the engine closes a connection idle for 5 s (between the bench's rows): out of the pool, or a request hangs on it
    s.on('close', () => {
      if (idle.includes(s)) idle.splice(idle.indexOf(s), 1);
      s.current?.client.destroy();
    });
    return s;
  };
  const relay = (s, bytes) => {
    const { client, done } = s.current;
    client.write(Buffer.from(bytes));
    // the answer's last 5 bytes, across reads: the terminating chunk may come split
    const n = bytes.length;
    s.tail = n >= 5 ? bytes.latin1Slice(n - 5, n) : (s.tail + bytes.latin1Slice(0, n)).slice(-5);
    if (s.tail === '0\r\n\r\n') {
      s.tail = '';
      s.current = null;
      idle.push(s);
      done();
    }
  };
  net.createServer({ noDelay: true }, (client) => {
    let pending = null;
    let busy = false;
    client.on('error', () => {});
    const next = () => {
      if (busy || pending === null) return;
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(pending.latin1Slice(0, end))?.[1] ?? 0);
      const size = end + 4 + length;
      if (pending.length < size) return;
      const request = pending.subarray(0, size);
      pending = pending.length === size ? null : pending.subarray(size);
      busy = true;
      const up = idle.pop() ?? connect();
      up.current = { client, done: () => ((busy = false), next()) };
      up.tail ??= '';
      up.write(request);
    };
    client.on('data', (d) => {
      pending = pending === null ? d : Buffer.concat([pending, d]);
      next();
    });
  }).listen(Number(port), '127.0.0.1', listening);
} else {
  throw new Error(`kind ${kind}: minimal or bare`);
}
