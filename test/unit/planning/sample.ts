import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { reverseFunnel } from '../../../src/plan/funnel.ts';
import type { GrowthPlan } from '../../../src/plan/types.ts';
import type { PlanningReport } from '../../../src/planning/report.ts';

export function shippedPlan(): GrowthPlan {
  return parse(readFileSync(fileURLToPath(new URL('../../../config/plan.yaml', import.meta.url)), 'utf8')) as GrowthPlan;
}

/** A report as a cycle for 2027-03 would publish it, with every section filled. */
export function sampleReport(overrides: Partial<PlanningReport> = {}): PlanningReport {
  const plan = shippedPlan();
  const funnel = reverseFunnel(plan);
  const actualArr = 4_512_345.67;
  const remaining = plan.periods.filter((p) => p.from >= '2027-03-01');
  return {
    version: 1,
    cycle: '2027-03',
    workflowId: 'planning:2027-03',
    generatedAt: '2027-04-01T06:00:00.000Z',
    plan: { name: plan.name, file: '/srv/flywheel/config/plan.yaml', currency: plan.currency },
    period: { id: '2027-03', from: '2027-03-01', to: '2027-04-01', measuredFrom: '2027-03-01T00:00:00.000Z', measuredTo: '2027-04-01T00:00:00.000Z' },
    carried: { cycle: '2027-02', by: 'maya-brooks', comments: 'Raise the webinar budget & re-check <NA> win rates', at: '2027-03-03T10:00:00.000Z' },
    adjust: {
      arrTarget: 4_620_000,
      actualArr,
      gap: Math.round((4_620_000 - actualArr) * 100) / 100,
      attainment: Math.round((actualArr / 4_620_000) * 10_000) / 10_000,
      accounts: 187,
      funnel,
      reforecast: reverseFunnel({ ...plan, startingArr: actualArr, periods: remaining }),
    },
    augment: {
      recommendations: [
        { title: 'Add a second rep to the enterprise-emea queue', detail: '31% of 120 first-touch SLAs breached', severity: 'critical', area: 'sla' },
        { title: 'Remove the never-matching rule routing/legacy-partners', detail: '0 of 240 routing decisions', severity: 'warning', area: 'rules' },
      ],
    },
    analyze: {
      checks: [
        { name: 'winRate', label: 'Win rate', planned: 0.22, actual: 0.18, variance: -0.1818, status: 'watch' },
        { name: 'acv', label: 'Average contract value', planned: 24_000, actual: 26_500, variance: 0.1042, status: 'on-track' },
        { name: 'monthlyGrossChurn', label: 'Monthly gross churn', planned: 0.008, actual: 0.013, variance: 0.625, status: 'off-track' },
        { name: 'salesCycleDays', label: 'Sales cycle (days)', planned: 60, actual: null, variance: null, status: 'no-data' },
      ],
      retention: { nrr: 1.0312, grr: 0.9412 },
      metrics: { note: 'full metrics omitted in the sample' },
    },
    approval: { approvers: plan.approval.approvers, escalateTo: plan.approval.escalateTo, deadline: plan.approval.deadline },
    ...overrides,
  };
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * A tolerant well-formedness check (we cannot open a browser here): every opened element is closed in order, except
 * HTML's void elements and self-closing SVG elements; text inside <style> is skipped. Returns the problems found.
 */
export function tagProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>').replace(/<!DOCTYPE[^>]*>/i, '');
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(\/?)>/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(body))) {
    const between = body.slice(consumed, m.index);
    if (between.includes('<')) problems.push(`stray "<" before ${m[0]}: ${between.slice(between.indexOf('<'), between.indexOf('<') + 30)}`);
    consumed = m.index + m[0].length;
    const [, close, rawName, , selfClose] = m;
    const name = rawName!.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else if (!selfClose && !VOID.has(name)) stack.push(name);
  }
  if (body.slice(consumed).includes('<')) problems.push('stray "<" after the last tag');
  if (stack.length > 0) problems.push(`never closed: ${stack.join(' > ')}`);
  return problems;
}
