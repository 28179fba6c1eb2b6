// The smoke test's artifact server: NGC's file endpoint, `/v2/org/ORG[/team/TEAM]/models/MODEL/versions/V/files/PATH`,
// answered from ROOT/ORG[/TEAM]/MODEL/V/PATH, on 127.0.0.1 only. Plain Node, no dependencies: it runs on the host
// beside the containers (`--network host`). Every request is appended to LOG as one JSON line, so the smoke test
// can count them (a second container on a warm cache must make none) and see whether a bearer token came.
//   node artifact-server.mjs ROOT LOG PORTFILE    (PORTFILE receives the port once it listens)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [root, log, portFile] = process.argv.slice(2);
if (!root || !log || !portFile) {
  process.stderr.write('usage: artifact-server.mjs ROOT LOG PORTFILE\n');
  process.exit(64);
}
const base = path.resolve(root);
const route = /^\/v2\/org\/([^/]+)(?:\/team\/([^/]+))?\/models\/([^/]+)\/versions\/([^/]+)\/files\/(.+)$/;

function fileFor(urlPath) {
  const m = route.exec(urlPath);
  if (!m) return null;
  const [, org, team, model, version, file] = m.map((s) => (s === undefined ? s : decodeURIComponent(s)));
  const full = path.resolve(base, org, ...(team ? [team] : []), model, version, file);
  return full.startsWith(base + path.sep) ? full : null; // no way out of ROOT
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const full = fileFor(url.pathname);
  let stat = null;
  try { stat = full ? fs.statSync(full) : null; } catch { stat = null; }
  const status = stat?.isFile() ? 200 : 404;
  fs.appendFileSync(log, JSON.stringify({ method: req.method, path: url.pathname, status,
    authorization: req.headers.authorization ? 'Bearer ***' : null }) + '\n');
  if (status !== 200 || !full || !stat) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"requestStatus":{"statusCode":"NOT_FOUND"}}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(stat.size) });
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(full).pipe(res);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  fs.writeFileSync(portFile, String(typeof address === 'object' && address ? address.port : ''));
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
