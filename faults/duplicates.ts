// Phase (a): every lead.created delivered three times at once, as a CRM that retries on a slow answer does.
// Expect three 202s (two flagged duplicate) and exactly one assignment row per lead.
import { newLead } from '../bench/traffic.ts';
import { leadIdOf, type PhaseContext, type PhaseResult } from './phase.ts';
import { pool, postEvent } from './send.ts';

const COPIES = 3;

export async function duplicates(ctx: PhaseContext): Promise<PhaseResult> {
  const t0 = performance.now();
  const ids = Array.from({ length: ctx.sizes.duplicateLeads }, (_, i) => leadIdOf(ctx, 'dup', i));
  const failures: string[] = [];
  let duplicateFlags = 0;
  // 10 leads (30 requests) in flight at a time: enough to race the copies, not a load test.
  const answers = await pool(ids, 10, async (id) => {
    const event = newLead(id);
    const copies = await Promise.all(Array.from({ length: COPIES }, () => postEvent(ctx.layout, event)));
    for (const a of copies) if (a.status === 202 && /"duplicate":true/.test(a.body)) duplicateFlags++;
    return copies;
  });
  const accepted = ids.filter((_, i) => answers[i]!.some((a) => a.status === 202));
  const refused = answers.flat().filter((a) => a.status !== 202);
  if (refused.length > 0) failures.push(`${refused.length} of ${ids.length * COPIES} deliveries not 202 (first: ${refused[0]!.status} ${refused[0]!.body.slice(0, 160)})`);
  return { name: 'a duplicates', ms: performance.now() - t0, sent: ids.length * COPIES, accepted, figures: { leads: ids.length, 'copies flagged duplicate': duplicateFlags }, failures };
}
