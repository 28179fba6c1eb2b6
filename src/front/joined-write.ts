// A head and the body bytes that go with it, written to a socket as one latin1 string: one write() and one packet.
// Corked writes of a string head and a Buffer took Node's writev path instead, which per call builds arrays, parses
// the encoding's name and copies the string into a malloc'd block: about 4 µs each, twice per relayed request (the
// engine's request, the client's answer), a tenth of the front's user CPU per request (perf, bench/front.mjs
// --tokens 1). One Buffer filled in JS (allocUnsafe, a latin1 write, a copy) cost more than one string: Node writes
// a string of up to 16 KiB from a stack copy (StreamBase::WriteString), with no Buffer made (bench/front.mjs --tokens
// 1 --compare, three runs: 0.92, 0.96 and 0.85 of the CPU per request). A body's later pieces alone are not
// strings: there a Buffer copy cost less (client-exchange.ts writeRange). latin1 maps each byte to one character and
// back, so any bytes (UTF-8 text included) pass as they are. Past JOIN_LIMIT: corked as before.
import type net from 'node:net';

/** Bytes joined into one string at most (Node's stack copy is 16 KiB); a larger body is written beside its head, corked. */
const JOIN_LIMIT = 16 * 1024;

/**
 * Writes `head` (latin1), then `parts`, then `tail` (latin1, framing such as a chunk's CRLF) to `socket` as one
 * piece; returns what socket.write returned for the last of them (false: stop until 'drain'). `transient`: the parts
 * are only valid during the call (a read buffer read into again), so they are copied whichever way they are written.
 */
export function writeJoined(socket: net.Socket, head: string, parts: readonly Buffer[], tail = '', transient = false): boolean {
  let size = head.length + tail.length;
  for (const p of parts) size += p.length;
  if (size > JOIN_LIMIT) {
    socket.cork();
    if (head !== '') socket.write(head, 'latin1');
    let ok = true;
    for (const p of parts) ok = socket.write(transient ? Buffer.from(p) : p);
    if (tail !== '') ok = socket.write(tail, 'latin1');
    socket.uncork();
    return ok;
  }
  let text = head;
  for (const p of parts) text += p.toString('latin1');
  if (tail !== '') text += tail;
  return socket.write(text, 'latin1');
}

