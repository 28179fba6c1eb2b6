// One minimal SSE pass-through for bench/front-proxies.mjs: `node:http` (nimlet's own src/front/proxy.ts, built)
// or `undici` (undici.request with the body piped out), so the two libraries are compared doing the same job;
// and for bench/front.mjs's floor row, `minimal`: the node:http proxy a user would write, nothing more.
// Usage: node bench/front-proxy-child.mjs node:http|undici|minimal PORT UPSTREAM_PORT
import http from 'node:http';
import { Agent, request } from 'undici';
import { createUpstream, proxyRequest } from '../dist/front/proxy.js';

const [kind, port, upstreamPort] = process.argv.slice(2);
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'te', 'trailer', 'upgrade']);
const strip = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => !HOP.has(k)));

let handler;
if (kind === 'minimal') {
  const agent = new http.Agent({ keepAlive: true });
  handler = (req, res) => {
    const up = http.request({ host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => res.writableFinished || up.destroy());
    req.pipe(up);
  };
} else if (kind === 'node:http') {
  const upstream = createUpstream('127.0.0.1', Number(upstreamPort));
  handler = (req, res) => proxyRequest(req, res, upstream, null);
} else {
  const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
  handler = (req, res) => {
    const ac = new AbortController();
    res.on('close', () => res.writableFinished || ac.abort());
    request(`http://127.0.0.1:${upstreamPort}${req.url}`, { method: req.method, headers: strip(req.headers), body: req, dispatcher, signal: ac.signal }).then((r) => {
      res.writeHead(r.statusCode, strip(r.headers));
      res.flushHeaders();
      r.body.pipe(res);
    }, () => res.headersSent ? res.destroy() : res.writeHead(502).end());
  };
}
http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, handler).listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
