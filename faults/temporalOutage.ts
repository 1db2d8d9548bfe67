// Phase (c): the Temporal server stopped mid-load and started again on its SQLite file. While it is down the API
// must answer 503 problem+json with Retry-After (never a 202: nothing would run the event); afterwards every lead
// it did accept is assigned, and the ones it refused are accepted when the CRM retries them.
import { setTimeout as sleep } from 'node:timers/promises';
import { newLead } from '../bench/traffic.ts';
import { leadIdOf, type PhaseContext, type PhaseResult } from './phase.ts';
import { health, isProblem, paced, postEvent, type Answer } from './send.ts';

export async function temporalOutage(ctx: PhaseContext): Promise<PhaseResult> {
  const t0 = performance.now();
  const { outageLeadRate, outageSeconds, outageMarginSeconds } = ctx.sizes;
  const n = Math.round(outageLeadRate * (outageSeconds + 2 * outageMarginSeconds));
  const ids = Array.from({ length: n }, (_, i) => leadIdOf(ctx, 'outage', i));
  const window = { down: Infinity, restarting: Infinity, up: Infinity, stopMs: 0, startMs: 0 };
  let healthWhileDown: number | undefined;
  const outage = (async () => {
    await sleep(outageMarginSeconds * 1000);
    const s0 = performance.now();
    await ctx.layout.stopTemporal();
    window.down = performance.now();
    window.stopMs = window.down - s0;
    healthWhileDown = (await health(ctx.layout)).status;
    await sleep(Math.max(0, outageSeconds * 1000 - (performance.now() - window.down)));
    window.restarting = performance.now();
    await ctx.layout.startTemporal();
    window.up = performance.now();
    window.startMs = window.up - window.restarting;
  })();
  const answers = await paced(outageLeadRate, n, (i) => postEvent(ctx.layout, newLead(ids[i]!)));
  await outage;

  // Sent while the server was down. The API may hold a request until its delivery deadline, so one sent late in
  // the outage can be answered 202 after the restart (Temporal took it then); answered 202 before, nothing took it.
  const sentDuring = (a: Answer) => a.sentAt >= window.down && a.sentAt <= window.restarting;
  const during = answers.filter(sentDuring);
  const failures: string[] = [];
  const acceptedWhileDown = during.filter((a) => a.status === 202 && a.answeredAt < window.restarting).length;
  if (acceptedWhileDown > 0) failures.push(`${acceptedWhileDown} leads answered 202 while Temporal was down`);
  const wrongRefusals = during.filter((a) => a.status !== 202 && !(a.status === 503 && isProblem(a) && a.retryAfter));
  if (wrongRefusals.length > 0)
    failures.push(
      `${wrongRefusals.length} answers during the outage were not 503 problem+json with Retry-After (first: ${wrongRefusals[0]!.status} ${wrongRefusals[0]!.contentType} ${wrongRefusals[0]!.body.slice(0, 120)})`,
    );
  const outsideRefused = answers.filter((a) => !sentDuring(a) && a.status !== 202 && a.status !== 503);
  if (outsideRefused.length > 0)
    failures.push(`${outsideRefused.length} answers around the outage were neither 202 nor 503 (first: ${outsideRefused[0]!.status} ${outsideRefused[0]!.body.slice(0, 120)})`);
  if (during.length === 0) failures.push('no lead was sent while Temporal was down');
  if (healthWhileDown !== 503) failures.push(`/healthz answered ${healthWhileDown} while Temporal was down (expected 503)`);

  // The CRM retries what was refused; once Temporal is back, each retry must be taken.
  const retried = ids.filter((_, i) => answers[i]!.status !== 202);
  const retries = await Promise.all(retried.map((id) => postEvent(ctx.layout, newLead(id))));
  const retryRefused = retries.filter((a) => a.status !== 202);
  if (retryRefused.length > 0)
    failures.push(`${retryRefused.length} of ${retried.length} retries after the restart not 202 (first: ${retryRefused[0]!.status} ${retryRefused[0]!.body.slice(0, 120)})`);
  const accepted = [...ids.filter((_, i) => answers[i]!.status === 202), ...retried.filter((_, i) => retries[i]!.status === 202)];

  return {
    name: 'c Temporal outage',
    ms: performance.now() - t0,
    sent: n + retried.length,
    accepted,
    figures: {
      'Temporal down s': ((window.restarting - window.down) / 1000).toFixed(1),
      'Temporal stop / start ms': `${Math.round(window.stopMs)} / ${Math.round(window.startMs)}`,
      'sent while down': during.length,
      'answered 503 problem+json': answers.filter((a) => a.status === 503 && isProblem(a)).length,
      '202 before Temporal was back': acceptedWhileDown,
      'slowest answer while down ms': Math.round(Math.max(0, ...during.map((a) => a.answeredAt - a.sentAt))),
      'refused, then retried and accepted': retries.length - retryRefused.length,
    },
    failures,
  };
}
