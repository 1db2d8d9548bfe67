import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { MAX_PARAM_LENGTH } from '../../../src/limits.ts';

// Real HTTP on an ephemeral port: `inject` skips Node's HTTP parser, which is where 431 and malformed requests end.
let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = buildApp({ checks: {} });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => app?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are and reads the answer until the server closes or the body is complete. */
function raw(request: string, toPort = port): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(toPort, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    };
    socket.on('data', (c) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text.slice(0, end));
      if (end >= 0 && length && Buffer.byteLength(text.slice(end + 4)) >= Number(length[1])) {
        socket.destroy();
        finish();
      }
    });
    socket.on('close', () => (chunks.length > 0 ? finish() : reject(new Error('closed without an answer'))));
    socket.on('error', () => undefined);
    socket.write(request);
  });
}

const get = (path: string, headers = '') => raw(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`);

function expectProblem(res: RawAnswer, status: number, type: string) {
  expect({ status: res.status, contentType: res.headers['content-type'] }).toEqual({ status, contentType: expect.stringMatching(/^application\/problem\+json/) });
  expect(JSON.parse(res.body)).toMatchObject({ type, status, title: expect.any(String) });
}

describe('framework and client errors over real HTTP are problem+json', () => {
  it('431 for header fields over the parser limit (64 KiB of headers)', async () => {
    expectProblem(await get('/healthz', `x-pad: ${'a'.repeat(64 * 1024)}\r\n`), 431, '/problems/header-fields-too-large');
  });

  it('414 for a path parameter longer than the route limit', async () => {
    const res = await get(`/problems/${'x'.repeat(MAX_PARAM_LENGTH + 1)}`);
    expectProblem(res, 414, '/problems/uri-too-long');
    expect(JSON.parse(res.body).detail).toContain(String(MAX_PARAM_LENGTH));
  });

  it('400 for a malformed percent-escape in the URL', async () => {
    expectProblem(await get('/problems/%E0%A4%A'), 400, '/problems/bad-request');
  });

  it('400 for a request Node cannot parse as HTTP', async () => {
    expectProblem(await raw('NOT HTTP AT ALL\r\n\r\n'), 400, '/problems/bad-request');
    // Found by the fault suite: Node's own Host check answered a bare 400 with no body.
    expectProblem(await raw('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, '/problems/bad-request');
    expectProblem(await raw(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n`), 400, '/problems/bad-request');
  });

  it('404 for an unknown route and 405 with Allow for a known path asked with another method', async () => {
    expectProblem(await get('/nope'), 404, '/problems/not-found');
    const res = await raw('DELETE /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expectProblem(res, 405, '/problems/method-not-allowed');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('400 for malformed JSON, 413 for a body over the limit and 415 for another media type', async () => {
    const echo = buildApp({ checks: {} });
    echo.post('/echo', async (req) => ({ received: req.body }));
    await echo.listen({ host: '127.0.0.1', port: 0 });
    try {
      const echoPort = (echo.server.address() as AddressInfo).port;
      const post = (type: string, body: string) =>
        raw(`POST /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, echoPort);
      expectProblem(await post('application/json', '{"a":'), 400, '/problems/validation-error');
      expectProblem(await post('text/csv', 'a,b'), 415, '/problems/unsupported-media-type');
      expectProblem(await post('application/json', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })), 413, '/problems/payload-too-large');
    } finally {
      await echo.close();
    }
  });
});
