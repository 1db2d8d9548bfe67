// Phase (b): leads at a steady rate while one worker at a time is SIGKILLed (mid-activity, mid-transaction) and
// restarted. Expect every lead to get an owner and exactly one assignment row: an abandoned activity is retried
// on the other worker, and its ledger writes are idempotent.
import { setTimeout as sleep } from 'node:timers/promises';
import { newLead } from '../bench/traffic.ts';
import { leadIdOf, type PhaseContext, type PhaseResult } from './phase.ts';
import { paced, postEvent } from './send.ts';

export async function workerKills(ctx: PhaseContext): Promise<PhaseResult> {
  const t0 = performance.now();
  const { killLeads, killRate, killEverySeconds } = ctx.sizes;
  const ids = Array.from({ length: killLeads }, (_, i) => leadIdOf(ctx, 'kill', i));
  let loading = true;
  const restartMs: number[] = [];
  let kills = 0;
  const killer = (async () => {
    for (let k = 0; loading; k++) {
      await sleep(killEverySeconds * 1000);
      if (!loading) break;
      const victim = ctx.layout.workers[k % ctx.layout.workers.length]!;
      // The other worker may still be starting after its own kill: never take both away at once.
      if (ctx.layout.workers.some((w) => w !== victim && !w.running)) continue;
      await victim.kill();
      kills++;
      restartMs.push(await victim.start());
    }
  })();
  const answers = await paced(killRate, ids.length, (i) => postEvent(ctx.layout, newLead(ids[i]!)));
  loading = false;
  await killer;
  const failures: string[] = [];
  const refused = answers.filter((a) => a.status !== 202);
  if (refused.length > 0) failures.push(`${refused.length} of ${ids.length} leads not 202 (first: ${refused[0]!.status} ${refused[0]!.body.slice(0, 160)})`);
  if (kills === 0) failures.push('no worker was killed: the load ended before the first kill');
  return {
    name: 'b worker kills',
    ms: performance.now() - t0,
    sent: ids.length,
    accepted: ids.filter((_, i) => answers[i]!.status === 202),
    figures: { 'workers SIGKILLed': kills, 'worker restart ms (max)': Math.round(Math.max(0, ...restartMs)), 'offered leads/s': killRate },
    failures,
  };
}
