// Phase (e): routing.yaml broken at runtime three ways while leads flow. Expect each break refused: /healthz shows
// `rules` degraded naming routing.yaml and its line, the leads keep being routed by the last valid revision (a
// mid-market lead still goes to the mid-market queue), and the fix is taken (later leads carry its revision).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { newLead } from '../bench/traffic.ts';
import type { LeadState } from '../workflows/lead/types.ts';
import { waitForOutcomes } from './outcomes.ts';
import { leadIdOf, type PhaseContext, type PhaseResult } from './phase.ts';
import { health, paced, postEvent } from './send.ts';

/** RulesCache's default `recheckMs`: how stale a worker's view of the rules folder may be. */
const RECHECK_MS = 1_000;
/** Leads sent after each fix: enough that both workers likely decide one. */
const FIX_LEADS = 4;

const MID_MARKET_WHEN = 'when: { "<=": [200, { var: lead.employees }, 999] }';

/** Each break edits the mid-market rule, so rules that were wrongly taken would route these leads elsewhere. */
const BREAKS: { name: string; edit: (text: string) => string }[] = [
  { name: 'YAML syntax error', edit: (t) => t.replace(MID_MARKET_WHEN, 'when: { "<=": [200, { var: lead.employees }, 999]') },
  { name: 'undeclared fact', edit: (t) => t.replace(MID_MARKET_WHEN, 'when: { "<=": [200, { var: lead.shoeSize }, 999] }') },
  { name: 'operator off the allow-list', edit: (t) => t.replace(MID_MARKET_WHEN, 'when: { "method": [{ var: lead.employees }, "toString"] }') },
];

type Health = Awaited<ReturnType<typeof health>>;

/** Polls /healthz until `done` holds (bounded); the rechecks are once a second, so this takes a second or two. */
async function healthUntil(ctx: PhaseContext, done: (h: Health) => boolean, timeoutMs = 15_000): Promise<{ ok: boolean; h: Health; ms: number }> {
  const t0 = performance.now();
  let h = await health(ctx.layout);
  while (!done(h) && performance.now() - t0 < timeoutMs) {
    await sleep(200);
    h = await health(ctx.layout);
  }
  return { ok: done(h), h, ms: performance.now() - t0 };
}

const rulesCheck = (h: Health) => h.body.checks?.rules;
const revisionOf = (h: Health) => /revision (\S+)/.exec(rulesCheck(h)?.detail ?? '')?.[1];
const routing = (s: LeadState | undefined) => s?.decisions.filter((d) => d.kind === 'routing').at(-1);

function warnings(ctx: PhaseContext): number {
  let n = 0;
  for (const w of ctx.layout.workers) n += (readFileSync(w.spec.logFile, 'utf8').match(/warning: rules: refused/g) ?? []).length;
  return n;
}

export async function badRules(ctx: PhaseContext): Promise<PhaseResult> {
  const t0 = performance.now();
  const file = path.join(ctx.layout.rulesDir, 'routing.yaml');
  const original = readFileSync(file, 'utf8');
  const failures: string[] = [];
  const accepted: string[] = [];
  const figures: Record<string, number | string> = {};
  let sent = 0;
  let lead = 0;
  const before = await healthUntil(ctx, (h) => rulesCheck(h)?.status === 'ok');
  let lastValid = revisionOf(before.h);
  if (!before.ok || !lastValid) failures.push(`rules not ok before the first break: ${JSON.stringify(rulesCheck(before.h))}`);

  /** Sends `n` mid-market leads and checks each was routed to mid-market by one of the `allowed` revisions. */
  const leadsDecidedBy = async (n: number, allowed: ReadonlySet<string | undefined>, when: string) => {
    const ids = Array.from({ length: n }, () => leadIdOf(ctx, 'rules', lead++));
    const answers = await paced(4, n, (i) => postEvent(ctx.layout, newLead(ids[i]!)));
    sent += n;
    const ok = ids.filter((_, i) => answers[i]!.status === 202);
    accepted.push(...ok);
    if (ok.length < n) failures.push(`${when}: ${n - ok.length} of ${n} leads not 202 (first: ${answers.find((a) => a.status !== 202)?.body.slice(0, 120)})`);
    const states = await waitForOutcomes(ctx.layout.client, ok, ctx.sizes.settleSeconds * 1000);
    const wrong = ok.filter((id) => states.get(id)?.queue !== 'mid-market' || !allowed.has(routing(states.get(id))?.revision));
    if (wrong.length > 0) {
      const s = states.get(wrong[0]!);
      failures.push(
        `${when}: ${wrong.length} of ${ok.length} leads not routed to mid-market by revision ${[...allowed].join(' or ')} (first ${wrong[0]}: status ${s?.status}, queue ${s?.queue}, revision ${routing(s)?.revision}, failures ${JSON.stringify(s?.failures ?? [])})`,
      );
    }
  };
  // Each worker keeps the last valid rules *it* saw: one that decided nothing while a fix was in place still
  // decides with an earlier valid revision, which is as right. A refused revision never decides.
  const valid = new Set<string | undefined>([lastValid]);

  try {
    for (const [k, b] of BREAKS.entries()) {
      const warned = warnings(ctx);
      const broken = b.edit(original);
      if (broken === original) throw new Error(`faults: the "${b.name}" edit no longer applies to rules/routing.yaml; update faults/badRules.ts`);
      writeFileSync(file, broken);
      const degraded = await healthUntil(ctx, (h) => rulesCheck(h)?.status === 'degraded');
      const named = rulesCheck(degraded.h)?.diagnostics?.some((d) => `${d.file ?? ''}`.endsWith('routing.yaml') && typeof d.line === 'number');
      if (!degraded.ok) failures.push(`${b.name}: /healthz rules never degraded: ${JSON.stringify(rulesCheck(degraded.h))}`);
      else if (!named) failures.push(`${b.name}: /healthz rules degraded without a diagnostic naming routing.yaml and a line: ${JSON.stringify(rulesCheck(degraded.h))}`);
      if (degraded.h.status !== 200) failures.push(`${b.name}: /healthz answered ${degraded.h.status} with rules degraded (expected 200)`);
      figures[`${b.name}: degraded after ms`] = Math.round(degraded.ms);
      await leadsDecidedBy(ctx.sizes.rulesLeadsPerBreak, valid, b.name);
      figures[`${b.name}: worker warnings`] = warnings(ctx) - warned;

      // The fix: the original rules with a comment, so its content (and revision) differs from the last valid one.
      writeFileSync(file, `${original}# fixed after break ${k + 1}\n`);
      const fixed = await healthUntil(ctx, (h) => rulesCheck(h)?.status === 'ok' && revisionOf(h) !== lastValid);
      if (!fixed.ok) failures.push(`${b.name}: the fix was not taken: ${JSON.stringify(rulesCheck(fixed.h))}`);
      lastValid = revisionOf(fixed.h);
      valid.add(lastValid);
      // The workers look at the folder at most once a second (RulesCache's default recheck): after that, every
      // decision must use the fix.
      await sleep(RECHECK_MS + 100);
      await leadsDecidedBy(FIX_LEADS, new Set([lastValid]), `${b.name}, fixed`);
    }
  } finally {
    writeFileSync(file, original);
  }
  return { name: 'e bad rules', ms: performance.now() - t0, sent, accepted, figures, failures };
}
