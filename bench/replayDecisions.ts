// `rules impact` at scale: realistic recorded decisions replayed under two revisions (the rules folder, and a copy
// with one ICP threshold raised), timed end to end: replay under both, compare, aggregate.
// Run alone: tsx bench/replayDecisions.ts [--decisions 100000] [--rules rules]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { impact } from '../src/decisions/impact.ts';
import { occasions } from '../src/decisions/keys.ts';
import type { StoredDecision } from '../src/decisions/types.ts';
import type { RulesEngine } from '../src/rules/engine.ts';
import { loadRules, rulesConfig } from '../src/rules/load.ts';
import { regionOf } from '../src/rules/regions.ts';

export interface ReplayBench {
  decisions: number;
  seconds: number;
  /** Recorded decisions per second, each decided under both revisions and compared. */
  perSecond: number;
  flips: number;
}

/** The threshold the head revision raises: mid-market core fit starts at 300 employees instead of 200. */
const THRESHOLD = { from: '{ "<=": [200, { var: lead.employees }, 999] }', to: '{ "<=": [300, { var: lead.employees }, 999] }' };

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Decisions as the live activities record them, per lead: the four Attract rows sharing one occasion (the
 * qualification row also holding the ICP result), then routing and the first-touch SLA clock. Every row has its
 * own facts object, as when read from the ledger or an export.
 */
export function syntheticDecisions(n: number, seed = 42): StoredDecision[] {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: StoredDecision[] = [];
  const start = Date.UTC(2026, 0, 5, 8);
  for (let i = 0; out.length < n; i++) {
    const id = `lead-${i}`;
    const t = start + i * 7 * 60_000;
    const at = new Date(t).toISOString();
    const country = pick(['DE', 'DE', 'FR', 'GB', 'NL', 'ES', 'US', 'US', 'CA', 'BR', 'JP', 'IN', null] as const);
    const employees = pick([null, 8, 35, 120, 180, 220, 260, 310, 450, 800, 1200, 5000, 20000]);
    const customer = rand() < 0.05;
    const domain = `company-${i % 5000}.example`;
    const lead = () => ({
      id,
      email: `person${i}@${domain}`,
      firstName: 'Alex',
      lastName: `Example${i}`,
      title: pick(['Head of Data', 'CTO', 'Analyst', 'VP Finance', null]),
      company: `Company ${i % 5000}`,
      domain,
      phone: rand() < 0.6 ? '+49 30 1234567' : null,
      country,
      region: regionOf(country),
      employees,
      annualRevenue: employees ? employees * 180_000 : null,
      industry: pick(['software', 'ecommerce', 'retail', 'financial-services', 'manufacturing', 'healthcare', 'media']),
      technologies: rand() < 0.5 ? [pick(['snowflake', 'bigquery', 'dbt', 'redshift']), 'looker'] : [],
      source: pick(['demo-request', 'contact-sales', 'content', 'webinar', 'product-signup', 'referral', 'paid-search']),
      engagement: {
        score: Math.floor(rand() * 100),
        pricingPageVisits: Math.floor(rand() * 4),
        lastActivityAt: new Date(t - Math.floor(rand() * 40) * 86_400_000).toISOString(),
        demoRequested: rand() < 0.1,
      },
      intent: { score: Math.floor(rand() * 100), topics: ['analytics'], surge: rand() < 0.2 },
    });
    const account = () => (customer ? { id: `acc-${i % 5000}`, owner: 'anna-schmidt', domain, customer: true, lifecycleStage: 'customer' } : { customer: false, domain });
    const tier = employees === null ? 'D' : employees >= 1000 ? 'A' : employees >= 200 ? 'B' : employees >= 20 ? 'C' : 'D';
    const base = () => ({ now: at, lead: lead(), account: account() });
    const attract = occasions.attract(at);
    const row = (kind: StoredDecision['kind'], occasion: string, facts: Record<string, unknown>): StoredDecision => ({
      kind,
      entity: 'lead',
      occasion,
      matched: [],
      outcome: null,
      inputs: {},
      facts,
      key: `decision:lead:${id}:${occasion}:${kind}`,
      at,
      entityId: id,
      revision: 'recorded0000+00000000',
      owner: null,
    });
    const handoff = { type: 'marketing-to-sales', reassignments: 0 };
    const rows = [
      row('data-quality', attract, base()),
      row('disqualification', attract, base()),
      row('icp', attract, base()),
      row('qualification', attract, { ...base(), icp: { tier, disqualified: false, reasons: [] } }),
      row('routing', occasions.route(0), { now: at, lead: lead(), account: account(), icp: { tier }, handoff }),
      row('sla', occasions.clock(0), {
        now: at,
        lead: lead(),
        icp: { tier },
        owner: { id: 'noah-fischer', team: 'sales-commercial', manager: 'jonas-becker', calendar: 'emea' },
        handoff: { ...handoff, startedAt: at },
      }),
    ];
    out.push(...rows.slice(0, n - out.length));
  }
  return out;
}

/** The rules folder and a copy with one ICP threshold raised, loaded from a temporary folder. */
export function twoRevisions(rulesDir = 'rules'): { base: RulesEngine; head: RulesEngine } {
  const config = rulesConfig(rulesDir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bench-rules-'));
  try {
    const headDir = path.join(tmp, 'rules');
    cpSync(rulesDir, headDir, { recursive: true });
    const icp = path.join(headDir, 'icp.yaml');
    const text = readFileSync(icp, 'utf8');
    if (!text.includes(THRESHOLD.from)) throw new Error(`${icp}: no "${THRESHOLD.from}" to raise`);
    writeFileSync(icp, text.replace(THRESHOLD.from, THRESHOLD.to));
    return { base: loadRules(rulesDir, { config }), head: loadRules(headDir, { config }) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Replays `decisions` synthetic recorded decisions under both revisions and times it (building them is not timed). */
export function benchReplay(opts: { decisions?: number; rulesDir?: string } = {}): ReplayBench {
  const n = opts.decisions ?? 100_000;
  const { base, head } = twoRevisions(opts.rulesDir);
  const decisions = syntheticDecisions(n);
  const started = process.hrtime.bigint();
  const report = impact(decisions, base, head, { baseRef: 'bench', headRef: 'bench' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { decisions: n, seconds, perSecond: n / seconds, flips: report.flips };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const r = benchReplay({ decisions: Number(arg('decisions', '100000')), rulesDir: arg('rules', 'rules') });
  console.log(
    `replay ${r.decisions.toLocaleString('en-US')} recorded decisions under two revisions: ${r.seconds.toFixed(2)} s (${Math.round(r.perSecond).toLocaleString('en-US')} decisions/s, ${r.flips} flips), node ${process.version}`,
  );
}
