// The floor rows of bench/front.mjs: the same stand-in engine behind an extra proxy process that does nothing but
// pass the stream on, so the figures say what any second process on the path costs on this machine.
//   node:http minimal   what a user would write (http.createServer + http.request + pipe, a keep-alive agent)
//   bare node           no HTTP library either side, bytes passed as they came: the least any Node process costs
//   nginx               one C worker, epoll, no buffering (proxy_buffering off), keep-alive to the engine; only
//                       where an nginx binary is installed (apt-get install nginx-light), else the row is left out
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = import.meta.dirname;

function nginxBinary() {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) if (fs.existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

async function startNodeFloor(kind, name, port, enginePort) {
  const child = fork(path.join(here, 'front-proxy-child.mjs'), [kind, String(port), String(enginePort)], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('message', resolve));
  return { name, port, pid: child.pid, dropIdle: () => child.send('drop'), stop: () => child.kill('SIGTERM') };
}

async function startNginx(bin, port, enginePort) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'front-bench-nginx-'));
  // one worker like nimlet's one event loop; `user` is only honoured (and needed for the temp folders) as root
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 8192; }
http {
  access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  upstream engine { server 127.0.0.1:${enginePort}; keepalive 1024; keepalive_timeout 1s; }
  server {
    listen 127.0.0.1:${port}; keepalive_requests 1000000; keepalive_timeout 65s;
    location / { proxy_pass http://engine; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; proxy_request_buffering off; }
  }
}
`);
  const master = spawn(bin, ['-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  // the worker does the work; its CPU is what the row reports
  for (let i = 0; i < 100; i++) {
    const kids = fs.existsSync(`/proc/${master.pid}/task/${master.pid}/children`) ? fs.readFileSync(`/proc/${master.pid}/task/${master.pid}/children`, 'utf8').trim() : '';
    // its idle engine connections close after 1 s by themselves (keepalive_timeout in the upstream block)
    if (kids !== '') return { name: 'nginx', port, pid: Number(kids.split(' ')[0]), dropIdle: () => {}, stop: () => master.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 50));
  }
  master.kill('SIGKILL');
  throw new Error(`nginx did not start (see ${dir}/error.log)`);
}

/** The floor proxies in front of the engine on `enginePort`, each on a port from `freePort`. */
export async function startFloors(enginePort, freePort) {
  const floors = [await startNodeFloor('minimal', 'node:http minimal', await freePort(), enginePort), await startNodeFloor('bare', 'bare node', await freePort(), enginePort)];
  const bin = nginxBinary();
  if (bin !== null) floors.push(await startNginx(bin, await freePort(), enginePort));
  return floors;
}
