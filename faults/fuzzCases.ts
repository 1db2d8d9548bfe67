// The seeded fuzzer's requests: malformed and hostile input of the kinds that once got a 202 and then stuck, a 503
// that made a CRM retry forever, or an answer that was not problem+json. Each case is the exact bytes to send.
import { randomUUID } from 'node:crypto';
import { cloudEvent, newLead, type CloudEvent } from '../bench/traffic.ts';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../src/events/signature.ts';
import { LIMITS } from '../src/limits.ts';
import type { Prng } from './prng.ts';
import type { RawRequest } from './rawHttp.ts';

export interface FuzzCase {
  category: string;
  request: RawRequest | Buffer;
  /** The lead.created events' subjects: if accepted, each lead must reach an outcome like any other. */
  creates?: string[];
  /** A forged or stale signature: anything but 401 is a failure. */
  forged?: boolean;
}

export interface FuzzContext {
  rng: Prng;
  secret: string;
  /** Leads created before the fuzzing, which the hostile non-create events are about. */
  targets: string[];
  nextLeadId(): string;
}

const CE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const now = () => String(Math.floor(Date.now() / 1000));

function signedHeaders(secret: string, body: Buffer, contentType: string | null, ts = now()): [string, string][] {
  const h: [string, string][] = [
    [TIMESTAMP_HEADER, ts],
    [SIGNATURE_HEADER, sign(secret, ts, body)],
  ];
  return contentType === null ? h : [['Content-Type', contentType], ...h];
}

function post(secret: string, body: Buffer | string, contentType: string | null = CE, extra: [string, string][] = []): RawRequest {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return { method: 'POST', target: '/v1/events', headers: [...signedHeaders(secret, b, contentType), ...extra], body: b };
}

/** A signed GET of a lead's state (reads are signed over the request target). */
export function signedRead(secret: string, target: string, extra: [string, string][] = []): RawRequest {
  const ts = now();
  return { method: 'GET', target, headers: [[TIMESTAMP_HEADER, ts], [SIGNATURE_HEADER, sign(secret, ts, target)], ...extra] };
}

const json = (e: unknown) => JSON.stringify(e);

/** A string field of an event made hostile: `at` is a path into the event, `value` what goes there. */
function setPath(e: Record<string, unknown>, at: string[], value: unknown): Record<string, unknown> {
  let o = e;
  for (const k of at.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[at.at(-1)!] = value;
  return e;
}

function otherEvent(f: FuzzContext): CloudEvent {
  const subject = f.rng.pick(f.targets);
  switch (f.rng.int(0, 3)) {
    case 0:
      return cloudEvent('lead.touched', subject, { by: 'noah-fischer', channel: 'email' });
    case 1:
      return cloudEvent('meeting.booked', subject, { meetingId: `m-${f.rng.string(8)}`, scheduledFor: new Date(Date.now() + 86_400_000).toISOString(), by: 'noah-fischer' });
    case 2:
      return cloudEvent('opportunity.created', subject, { opportunityId: `o-${f.rng.string(8)}`, amount: 12_000, currency: 'EUR' });
    default:
      return cloudEvent('lead.updated', subject, { title: 'VP Data' });
  }
}

/** A field somewhere in an event: top-level attributes, known data fields, or an extra one. */
function someField(f: FuzzContext): string[] {
  return f.rng.pick([['subject'], ['id'], ['source'], ['type'], ['data', 'title'], ['data', 'company'], ['data', 'email'], ['data', 'extra'], ['data', 'nested', 'deeper'], ['data', 'by']]);
}

/** `levels` nested objects as JSON text: JSON.stringify itself overflows the stack on a value this deep. */
const deepJson = (levels: number) => `${'{"d":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** Invalid UTF-8 in place of a marker inside otherwise valid JSON text. */
function withBytes(text: string, marker: string, bytes: number[]): Buffer {
  const [a, b] = text.split(marker);
  return Buffer.concat([Buffer.from(a!, 'utf8'), Buffer.from(bytes), Buffer.from(b ?? '', 'utf8')]);
}

type Gen = (f: FuzzContext) => FuzzCase;

const GENERATORS: [string, number, Gen][] = [
  [
    'bad JSON',
    3,
    (f) => {
      const valid = json(newLead(f.nextLeadId()));
      const body = f.rng.pick([
        () => valid.slice(0, f.rng.int(0, valid.length - 1)),
        () => f.rng.bytes(f.rng.int(1, 512)).toString('latin1'),
        () => valid.replace('"specversion"', '"specversion":,'),
        () => `${valid},`,
        () => `\uFEFF${valid}`,
        () => valid.replace('{', '{"specversion":"0.3",'),
        () => f.rng.pick(['', 'null', 'true', '123', '"x"', 'NaN', '[]', '{', '}', '{"a":}', '[1,2,', "{'a':1}", '{"__proto__":{"x":1}}']),
        () => valid.replace('"data":{', '"data":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},'),
      ])();
      return { category: 'bad JSON', request: post(f.secret, body) };
    },
  ],
  [
    'NUL',
    3,
    (f) => {
      const id = f.nextLeadId();
      const e = f.rng.chance(0.6) ? newLead(id) : otherEvent(f);
      const field = someField(f);
      const value = f.rng.pick(['\u0000', 'a\u0000b', `${'x'.repeat(f.rng.int(0, 40))}\u0000`]);
      if (f.rng.chance(0.2)) setPath(e as never, ['data'], { ...e.data, ['k\u0000ey']: 'v' });
      else setPath(e as never, field, value);
      // One in five: a raw NUL byte inside a string, which JSON does not allow at all.
      const body = f.rng.chance(0.2) ? withBytes(json({ ...e, data: { ...e.data, title: '@@' } }), '@@', [0]) : Buffer.from(json(e));
      return { category: 'NUL', request: post(f.secret, body), creates: e.type === 'lead.created' ? [e.subject] : undefined };
    },
  ],
  [
    'lone surrogates, invalid UTF-8',
    3,
    (f) => {
      const e = f.rng.chance(0.6) ? newLead(f.nextLeadId()) : otherEvent(f);
      if (f.rng.chance(0.5)) {
        setPath(e as never, someField(f), f.rng.pick(['\ud800', 'a\udc00', '\udfff\ud800', 'x\ud83d']));
        return { category: 'lone surrogates, invalid UTF-8', request: post(f.secret, json(e)), creates: e.type === 'lead.created' ? [e.subject] : undefined };
      }
      const bytes = f.rng.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0xaf]]);
      const at = f.rng.pick([['data', 'title'], ['subject']]);
      setPath(e as never, at, '@@');
      return { category: 'lone surrogates, invalid UTF-8', request: post(f.secret, withBytes(json(e), '@@', bytes)), creates: e.type === 'lead.created' ? [e.subject] : undefined };
    },
  ],
  [
    'deep nesting',
    2,
    (f) => {
      const levels = f.rng.pick([LIMITS.dataDepth, LIMITS.dataDepth + 1, 100, 1_000, 10_000]);
      const e = f.rng.chance(0.5) ? newLead(f.nextLeadId()) : otherEvent(f);
      const body = f.rng.chance(0.15) ? '['.repeat(50_000) + ']'.repeat(50_000) : json({ ...e, data: { ...e.data, nested: '@@' } }).replace('"@@"', deepJson(levels));
      return { category: 'deep nesting', request: post(f.secret, body), creates: e.type === 'lead.created' ? [e.subject] : undefined };
    },
  ],
  [
    'huge numbers',
    3,
    (f) => {
      const big = f.rng.pick(['1e400', '-1e400', '1e308', '1e17', '1e16', '9999999999999999.99', '12345678901234567890123', '-1e17', '1e-400', '-0', '0.1e2']);
      if (f.rng.chance(0.5)) {
        const e = cloudEvent('opportunity.created', f.rng.pick(f.targets), { opportunityId: `o-${f.rng.string(8)}`, amount: 0, currency: 'EUR' });
        return { category: 'huge numbers', request: post(f.secret, json(e).replace('"amount":0', `"amount":${big}`)) };
      }
      const e = newLead(f.nextLeadId());
      return { category: 'huge numbers', request: post(f.secret, json(e).replace('"employees":450', `"employees":${big}`)), creates: [e.subject] };
    },
  ],
  [
    'long ids',
    3,
    (f) => {
      const which = f.rng.pick(['subject', 'id', 'source'] as const);
      const limit = which === 'subject' ? LIMITS.idLength : which === 'id' ? LIMITS.eventIdLength : LIMITS.sourceLength;
      const n = f.rng.pick([limit - 50, limit, limit + 1, 5_000, 70_000]);
      const e = newLead(f.nextLeadId());
      // Subjects are ids with a pattern; astral characters count one each but take four bytes in a URL.
      const value = which === 'source' ? `/crm/${'s'.repeat(Math.max(1, n - 5))}` : f.rng.chance(0.3) ? f.rng.string(n, 'ab\u00e9\u{1F600}') : f.rng.string(n);
      (e as unknown as Record<string, string>)[which] = value;
      return { category: 'long ids', request: post(f.secret, json(e)), creates: [e.subject] };
    },
  ],
  [
    'long URLs',
    2,
    (f) => {
      const n = f.rng.pick([101, 1_000, 2_401, 5_000, 20_000, 70_000]);
      const target = f.rng.pick([
        () => `/v1/leads/${f.rng.string(n)}`,
        () => `/v1/leads/${'%F0%9F%98%80'.repeat(Math.ceil(n / 12))}`,
        () => `/v1/events?${f.rng.string(n)}`,
        () => `/${f.rng.string(n, 'abc/')}`,
      ])();
      return { category: 'long URLs', request: f.rng.chance(0.5) ? signedRead(f.secret, target) : { method: 'GET', target } };
    },
  ],
  [
    'big headers',
    2,
    (f) => {
      const valid = Buffer.from(json(newLead(f.nextLeadId())));
      const headers: [string, string][] = f.rng.pick([
        () => [['X-Big', 'x'.repeat(f.rng.pick([8_000, 17_000, 65_536, 100_000]))]] as [string, string][],
        () => Array.from({ length: f.rng.pick([100, 500, 2_000]) }, (_, i) => [`X-H${i}`, f.rng.string(40)] as [string, string]),
        () =>
          [
            ['X-Ctl', `a\u0001b`],
            ['X-Del', 'a\u007fb'],
          ] as [string, string][],
        () => [['Bad Name', 'v']] as [string, string][],
        () => [['X-Fold', 'a\r\n folded']] as [string, string][],
      ])();
      return { category: 'big headers', request: post(f.secret, valid, CE, headers) };
    },
  ],
  [
    'bad URL escapes',
    2,
    (f) => {
      const bad = f.rng.pick(['%zz', '%E0%A4%A', '%C0%AF', '%00', '%ff%fe', '%', '%%', '%u0041', '%2e%2e%2f', '%e2%82', '%ed%a0%80']);
      const target = f.rng.pick([`/v1/leads/${bad}`, `/v1/accounts/x${bad}y`, `/v1/events?q=${bad}`, `/v1/${bad}`, `/healthz${bad}`]);
      return { category: 'bad URL escapes', request: f.rng.chance(0.5) ? signedRead(f.secret, target) : { method: 'GET', target } };
    },
  ],
  [
    'wrong media types',
    2,
    (f) => {
      const e = newLead(f.nextLeadId());
      const type = f.rng.pick([
        'text/plain',
        'application/xml',
        null,
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        ';;;',
        'application/cloudevents+json; charset=utf-16',
        `application/${'x'.repeat(5_000)}`,
        BATCH,
      ]);
      // With the batch type, a single object (must be an array).
      return { category: 'wrong media types', request: post(f.secret, json(e), type), creates: [e.subject] };
    },
  ],
  [
    'bad or stale signatures',
    3,
    (f) => {
      const body = Buffer.from(json(newLead(f.nextLeadId())));
      const ts = now();
      const good = sign(f.secret, ts, body);
      const headers = f.rng.pick<() => [string, string][]>([
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, `sha256=${'0'.repeat(64)}`],
        ],
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, sign('not-the-secret', ts, body)],
        ],
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, sign(f.secret, ts, Buffer.from('{}'))],
        ],
        () => [
          [TIMESTAMP_HEADER, String(Number(ts) - 1_000)],
          [SIGNATURE_HEADER, sign(f.secret, String(Number(ts) - 1_000), body)],
        ],
        () => [
          [TIMESTAMP_HEADER, String(Number(ts) + 1_000)],
          [SIGNATURE_HEADER, sign(f.secret, String(Number(ts) + 1_000), body)],
        ],
        () => [[SIGNATURE_HEADER, good]],
        () => [[TIMESTAMP_HEADER, ts]],
        () => [
          [TIMESTAMP_HEADER, 'abc'],
          [SIGNATURE_HEADER, good],
        ],
        () => [
          [TIMESTAMP_HEADER, `${ts}000`],
          [SIGNATURE_HEADER, good],
        ],
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, good.replace('sha256=', 'sha1=')],
        ],
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, good.toUpperCase()],
        ],
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, `${good} `.repeat(2).trim()],
        ],
        () => [
          [TIMESTAMP_HEADER, ts],
          [SIGNATURE_HEADER, ''],
        ],
      ])();
      return { category: 'bad or stale signatures', request: { method: 'POST', target: '/v1/events', headers: [['Content-Type', CE], ...headers], body }, forged: true };
    },
  ],
  [
    'methods and paths',
    1,
    (f) => {
      const method = f.rng.pick(['PUT', 'DELETE', 'PATCH', 'GET', 'OPTIONS', 'TRACE', 'PROPFIND']);
      const target = f.rng.pick(['/v1/events', '/healthz', '/nope', '/v1/leads', '/v1/leads/', '/v1/leads/x/y', '//v1/events', '/v1/events/', '*']);
      return { category: 'methods and paths', request: { method, target } };
    },
  ],
  [
    'HTTP framing',
    2,
    (f) => {
      const body = Buffer.from(json(newLead(f.nextLeadId())));
      const sig = signedHeaders(f.secret, body, CE);
      const head = (extra: string[]) =>
        Buffer.from(`POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${sig.map(([k, v]) => `${k}: ${v}\r\n`).join('')}${extra.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
      const bytes = f.rng.pick([
        () => Buffer.concat([head([`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked']), body]),
        () => Buffer.concat([head(['Content-Length: 10', `Content-Length: ${body.length}`]), body]),
        () => Buffer.concat([head(['Content-Length: -1']), body]),
        () => Buffer.concat([head(['Content-Length: abc']), body]),
        () => Buffer.concat([head(['Transfer-Encoding: chunked']), Buffer.from('zz\r\nxx\r\n0\r\n\r\n')]),
        () => Buffer.concat([head(['Transfer-Encoding: gzip, chunked']), Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]),
        () => Buffer.concat([head([`Content-Length: ${body.length}`, 'Content-Encoding: gzip']), body]),
        () =>
          Buffer.from(
            f.rng.pick([
              'GARBAGE\r\n\r\n',
              'GET\r\n\r\n',
              'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
              'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
              'GET /healthz HTTP/1.1\r\n\r\n',
              'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
              '\r\n\r\nGARBAGE\r\n\r\n',
            ]),
            'latin1',
          ),
        () => Buffer.from(`GET /v1/leads/${f.rng.string(10, 'a b\t')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'),
      ])();
      return { category: 'HTTP framing', request: bytes };
    },
  ],
  [
    'oversized body',
    0.3,
    (f) => {
      const e = newLead(f.nextLeadId());
      return { category: 'oversized body', request: post(f.secret, json({ ...e, data: { ...e.data, notes: 'x'.repeat(1_100_000) } })) };
    },
  ],
  [
    'hostile but valid',
    3,
    (f) => {
      const e = newLead(f.nextLeadId());
      const weird = f.rng.pick([
        '\u202Eevil\u202C',
        'Zoë 😀 \u200B\u200D',
        "'; DROP TABLE lead_assignments; --",
        '<script>alert(1)</script>',
        '${jndi:ldap://127.0.0.1/x}',
        '\\u0000',
        'x'.repeat(LIMITS.stringLength),
        'e\u0301\u0301\u0301',
        '\uFFFF\uFFFE',
        '\u{10FFFF}',
      ]);
      setPath(
        e as never,
        f.rng.pick([
          ['data', 'title'],
          ['data', 'company'],
          ['data', 'extra'],
          ['data', '__proto__'],
          ['data', 'constructor'],
        ]),
        weird,
      );
      return { category: 'hostile but valid', request: post(f.secret, json(e)), creates: [e.subject] };
    },
  ],
  [
    'batches',
    1,
    (f) => {
      const events: unknown[] = Array.from({ length: f.rng.int(1, 20) }, () => newLead(f.nextLeadId()));
      const bad = f.rng.int(0, 3);
      if (bad === 1) events.splice(f.rng.int(0, events.length), 0, { ...newLead(f.nextLeadId()), subject: 'a\u0000' });
      if (bad === 2) events.splice(f.rng.int(0, events.length), 0, { specversion: '1.0', id: randomUUID() });
      if (bad === 3) events.push(...Array.from({ length: 2_000 }, () => 1));
      const creates = (events as CloudEvent[]).filter((e) => e && e.type === 'lead.created').map((e) => e.subject);
      // A valid batch (bad 0) creates leads; the others must be refused whole.
      return { category: 'batches', request: post(f.secret, json(events), BATCH), creates: bad === 0 ? creates : undefined };
    },
  ],
];

const TOTAL_WEIGHT = GENERATORS.reduce((t, [, w]) => t + w, 0);

export function nextCase(f: FuzzContext): FuzzCase {
  let r = f.rng.next() * TOTAL_WEIGHT;
  for (const [, w, gen] of GENERATORS) {
    if ((r -= w) < 0) return gen(f);
  }
  return GENERATORS[0]![2](f);
}
