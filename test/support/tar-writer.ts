// Writes tar archives byte by byte, so tests can build what node-tar refuses to create: absolute and `..`
// paths, links pointing outside, devices, FIFOs, absurdly deep paths, entries whose data overruns their header.

export interface RawEntry {
  name: string;
  /** '0' file, '1' hard link, '2' symlink, '3' char device, '4' block device, '5' folder, '6' FIFO */
  type: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  data?: Buffer;
  linkname?: string;
  /** The size written in the header when it should differ from data.length. */
  declaredSize?: number;
  /** A pax header carrying the path (for names over 100 bytes). */
  pax?: boolean;
  /** The mode bits in the header (default 0644). */
  mode?: number;
}

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value.slice(0, length), offset, 'utf8');
}

const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';

function header(name: string, type: string, size: number, linkname = '', mode = 0o644): Buffer {
  const h = Buffer.alloc(512);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(mode, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(1_700_000_000, 12));
  field(h, 148, 8, '        ');
  field(h, 156, 1, type);
  field(h, 157, 100, linkname);
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.from(`${len}${body}`);
}

export function tarBytes(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    if (e.pax) {
      const rec = paxRecord('path', e.name);
      parts.push(header('PaxHeader', 'x', rec.length), pad(rec));
    }
    parts.push(header(e.pax ? 'long' : e.name, e.type, e.declaredSize ?? data.length, e.linkname, e.mode));
    if (data.length) parts.push(pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
