// HTTP/1.1 over a bare socket: the fuzzer must send what fetch refuses to (bad escapes, control characters in
// headers, conflicting lengths, garbage request lines) and see exactly what the server answers, or that it did not.
import net from 'node:net';

export interface RawAnswer {
  /** 0: the connection closed (or timed out) without a status line. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  error?: string;
}

export interface RawRequest {
  method: string;
  target: string;
  headers?: [string, string][];
  body?: Buffer;
  /** Leave out the Content-Length the body would get (the case sets its own, or none). */
  noContentLength?: boolean;
}

/** The bytes of one request; `Connection: close` so the answer ends when the server closes. */
export function requestBytes(host: string, r: RawRequest): Buffer {
  const body = r.body ?? Buffer.alloc(0);
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [k, v] of r.headers ?? []) lines.push(`${k}: ${v}`);
  if (!r.noContentLength && (body.length > 0 || r.method === 'POST')) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

export function sendRaw(host: string, port: number, bytes: Buffer, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const socket = net.connect({ host, port });
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks), error));
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    // write, not end: Node's HTTP server drops a request whose client half-closes before the answer.
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A server that answers early (413, 431) and closes may reset our unfinished write: keep what it said.
    socket.on('error', (e) => finish(e.message));
  });
}

function parse(raw: Buffer, error?: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, Math.min(raw.length, 64)).toString('latin1'));
  if (end < 0 || !m) return { status: 0, headers: {}, body: raw, error: error ?? (raw.length ? 'not an HTTP answer' : 'closed without an answer') };
  const headers: Record<string, string> = {};
  for (const line of raw.subarray(0, end).toString('latin1').split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: Number(m[1]), headers, body };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
