// Phase (d): a few thousand seeded malformed and hostile requests over raw sockets. Every answer to bad input must
// be a 4xx problem+json (never a 5xx, never fastify's or Node's own text), every forged or stale signature a 401,
// every lead the API did accept must reach an outcome and be readable back, and /healthz must stay green.
import { newLead } from '../bench/traffic.ts';
import { processRssMiB } from '../bench/stats.ts';
import { nextCase, signedRead, type FuzzCase } from './fuzzCases.ts';
import { waitForOutcomes } from './outcomes.ts';
import { leadIdOf, type PhaseContext, type PhaseResult } from './phase.ts';
import { Prng } from './prng.ts';
import { requestBytes, sendRaw, type RawAnswer } from './rawHttp.ts';
import { health, isProblem, pool, postEvent } from './send.ts';

const TARGETS = 5;

/** A problem+json answer: the media type, and a body that parses to an object with type, title and status. */
function problemShaped(a: RawAnswer, method: string): boolean {
  if (!isProblem({ contentType: a.headers['content-type'] ?? '' })) return false;
  if (method === 'HEAD') return true;
  try {
    const p = JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;
    return typeof p.type === 'string' && typeof p.title === 'string' && p.status === a.status;
  } catch {
    return false;
  }
}

interface Tally {
  sent: number;
  answers: Record<string, number>;
  fiveXx: number;
  nonProblem: number;
  noAnswer: number;
}

export async function fuzz(ctx: PhaseContext): Promise<PhaseResult> {
  const t0 = performance.now();
  const { hostname: host, port } = new URL(ctx.layout.apiUrl);
  const failures: string[] = [];
  const accepted: string[] = [];

  const targets = Array.from({ length: TARGETS }, (_, i) => leadIdOf(ctx, 'fuzz-target', i));
  for (const id of targets) {
    const a = await postEvent(ctx.layout, newLead(id));
    if (a.status === 202) accepted.push(id);
    else failures.push(`fuzz target ${id} not accepted: ${a.status} ${a.body.slice(0, 120)}`);
  }

  let lead = 0;
  const rng = new Prng(ctx.sizes.seed);
  const f = { rng, secret: ctx.layout.secret, targets, nextLeadId: () => leadIdOf(ctx, 'fuzz', lead++) };
  // Generated up front, in order, so the same seed sends the same requests whatever the answers' timing.
  const cases: FuzzCase[] = Array.from({ length: ctx.sizes.fuzzRequests }, () => nextCase(f));
  const rssBefore = processRssMiB(ctx.layout.serve.pid);
  const byCategory = new Map<string, Tally>();
  const examples: string[] = [];
  let forgedAccepted = 0;
  const note = (c: FuzzCase, a: RawAnswer, what: string, bytes: Buffer) => {
    // The request's head (request line and header names), enough to find the case again.
    const head = bytes
      .subarray(0, Math.min(bytes.length, 2_000))
      .toString('latin1')
      .split('\r\n\r\n')[0]!
      .split('\r\n')
      .map((l, i) => (i === 0 ? l.slice(0, 60) : l.split(':')[0]))
      .join(' | ');
    if (examples.length < 12)
      examples.push(`${what}: [${c.category}] ${JSON.stringify(head)} -> ${a.status || a.error} ${a.headers['content-type'] ?? ''} ${a.body.subarray(0, 100).toString('utf8').replace(/\s+/g, ' ')}`);
  };

  await pool(cases, 16, async (c) => {
    const bytes = Buffer.isBuffer(c.request) ? c.request : requestBytes(host, c.request);
    const method = Buffer.isBuffer(c.request) ? c.request.subarray(0, 8).toString('latin1').split(' ')[0]! : c.request.method;
    const a = await sendRaw(host, Number(port), bytes);
    const t = byCategory.get(c.category) ?? { sent: 0, answers: {}, fiveXx: 0, nonProblem: 0, noAnswer: 0 };
    byCategory.set(c.category, t);
    t.sent++;
    const key = String(a.status || 'none');
    t.answers[key] = (t.answers[key] ?? 0) + 1;
    if (a.status === 0) {
      t.noAnswer++;
      note(c, a, 'no answer', bytes);
    } else if (a.status >= 500) {
      t.fiveXx++;
      note(c, a, '5xx', bytes);
    }
    if (a.status >= 400 && !problemShaped(a, method)) {
      t.nonProblem++;
      note(c, a, 'not problem+json', bytes);
    }
    if (c.forged && a.status !== 401) {
      if (a.status >= 200 && a.status < 300) forgedAccepted++;
      note(c, a, 'forged signature not 401', bytes);
    }
    if (a.status === 202 && c.creates) accepted.push(...c.creates);
  });

  // Every lead the fuzzer got accepted must be readable at /v1/leads/{id} (a long or astral id included), once its
  // workflow has run: a query waits for a worker, and the API gives up on it after 10 s while the backlog drains.
  let unreadable = 0;
  const created = accepted.filter((id) => !targets.includes(id));
  await waitForOutcomes(ctx.layout.client, created, ctx.sizes.settleSeconds * 1000);
  await pool(created, 8, async (id) => {
    const target = `/v1/leads/${encodeURIComponent(id)}`;
    const a = await sendRaw(host, Number(port), requestBytes(host, signedRead(ctx.layout.secret, target)));
    if (a.status !== 200) {
      unreadable++;
      if (examples.length < 12) examples.push(`unreadable lead (${id.length} chars): GET answered ${a.status} ${a.body.subarray(0, 100).toString('utf8')}`);
    }
  });

  const after = await health(ctx.layout);
  const rssAfter = processRssMiB(ctx.layout.serve.pid);
  const tallies = [...byCategory.values()];
  const sum = (k: 'fiveXx' | 'nonProblem' | 'noAnswer') => tallies.reduce((n, t) => n + t[k], 0);
  if (forgedAccepted > 0) failures.push(`${forgedAccepted} requests with a forged or stale signature were accepted`);
  const forgedNot401 = byCategory.get('bad or stale signatures');
  if (forgedNot401 && (forgedNot401.answers['401'] ?? 0) !== forgedNot401.sent) failures.push(`${forgedNot401.sent - (forgedNot401.answers['401'] ?? 0)} forged or stale signatures not answered 401`);
  if (sum('noAnswer') > 0) failures.push(`${sum('noAnswer')} requests got no HTTP answer at all`);
  if (unreadable > 0) failures.push(`${unreadable} accepted leads could not be read back at /v1/leads/{id}`);
  if (after.status !== 200 || after.body.status !== 'ok') failures.push(`/healthz after the fuzz: ${after.status} ${JSON.stringify(after.body).slice(0, 200)}`);
  for (const e of examples) ctx.note(`  fuzz ${e}`);
  for (const [name, t] of byCategory) {
    const answers = Object.entries(t.answers)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${s}x${n}`)
      .join(' ');
    ctx.note(`  fuzz ${name.padEnd(32)} ${String(t.sent).padStart(5)} sent: ${answers}`);
  }
  return {
    name: 'd fuzz',
    ms: performance.now() - t0,
    sent: cases.length + targets.length + created.length,
    accepted,
    figures: {
      seed: ctx.sizes.seed,
      'fuzz requests': cases.length,
      'leads accepted from fuzz': created.length,
      'forged signatures accepted': forgedAccepted,
      'no answer': sum('noAnswer'),
      'unreadable accepted leads': unreadable,
      'serve RSS MiB before/after': `${rssBefore?.toFixed(0) ?? '?'} / ${rssAfter?.toFixed(0) ?? '?'}`,
    },
    failures,
    badInput: { fiveXx: sum('fiveXx'), nonProblem: sum('nonProblem') },
  };
}
