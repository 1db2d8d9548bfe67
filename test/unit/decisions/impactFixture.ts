import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { occasions } from '../../../src/decisions/keys.ts';
import { decisionRow } from '../../../src/decisions/rows.ts';
import type { StoredDecision } from '../../../src/decisions/types.ts';
import type { LedgerEvent } from '../../../src/ledger/types.ts';
import type { Decision } from '../../../src/rules/types.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { RulesEngine } from '../../../src/rules/engine.ts';
import { loadRules } from '../../../src/rules/load.ts';

const fixtures = new URL('../../fixtures/impact/', import.meta.url);
export const goldenFile = new URL('impact.md', fixtures);
const config = () => loadConfig(new URL('../../../config/flywheel.yaml', import.meta.url).pathname).config;

const stamp = (e: RulesEngine, id: string) => e.withRevision({ commit: null, contentHash: id, dirty: false, id });

/** Raises the fixture's tier B threshold from 200 to 300 employees in the rules folder `dir`. */
export function raiseTierB(dir: string): void {
  const icp = path.join(dir, 'icp.yaml');
  const before = readFileSync(icp, 'utf8');
  const after = before.replace('{ ">=": [{ var: lead.employees }, 200] }\n    then: { tier: B }', '{ ">=": [{ var: lead.employees }, 300] }\n    then: { tier: B }');
  if (after === before) throw new Error('the fixture no longer has the tier B threshold this test raises');
  writeFileSync(icp, after);
}

/** The fixture's base revision and its head: the tier B threshold raised from 200 to 300 employees. */
export function revisions(): { base: RulesEngine; head: RulesEngine } {
  const baseDir = new URL('base', fixtures).pathname;
  const headDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'flywheel-impact-head-')), 'rules');
  cpSync(baseDir, headDir, { recursive: true });
  raiseTierB(headDir);
  const cfg = config();
  try {
    return { base: stamp(loadRules(baseDir, { config: cfg }), 'base00000000+aaaaaaaa'), head: stamp(loadRules(headDir, { config: cfg }), 'head00000000+bbbbbbbb') };
  } finally {
    rmSync(path.dirname(headDir), { recursive: true, force: true });
  }
}

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();

function row(entity: 'lead' | 'account', id: string, kind: string, occasion: string, facts: Record<string, unknown> | undefined, minute: number): StoredDecision {
  return {
    kind: kind as StoredDecision['kind'],
    entity,
    occasion,
    matched: [],
    outcome: null,
    inputs: {},
    facts: facts as Record<string, unknown>,
    key: `decision:${entity}:${id}:${occasion}:${kind}`,
    at: at(minute),
    entityId: id,
    revision: 'live0000000+cccccccc',
    owner: null,
  };
}

/** The four Attract rows of one evaluation, as the activity writes them (qualification also sees the ICP result). */
function attract(id: string, lead: Record<string, unknown>, tier: string, minute: number): StoredDecision[] {
  const base = { now: at(minute), lead: { id, email: `${id.toLowerCase()}@example.com`, ...lead }, account: { customer: false } };
  const qual = { ...base, icp: { tier, disqualified: false, reasons: [] } };
  const occasion = occasions.attract(at(minute));
  return [
    row('lead', id, 'data-quality', occasion, base, minute),
    row('lead', id, 'disqualification', occasion, base, minute),
    row('lead', id, 'icp', occasion, base, minute),
    row('lead', id, 'qualification', occasion, qual, minute),
  ];
}

/** Routing and the first-touch clock of a lead that reached sales, with the tier it had then. */
function handoff(id: string, lead: Record<string, unknown>, tier: string, minute: number): StoredDecision[] {
  const facts = { now: at(minute), lead: { id, ...lead }, account: { customer: false }, icp: { tier } };
  return [
    row('lead', id, 'routing', occasions.route(0), { ...facts, handoff: { type: 'marketing-to-sales', reassignments: 0 } }, minute),
    row('lead', id, 'sla', occasions.clock(0), { ...facts, owner: { id: 'noah-fischer' }, handoff: { type: 'marketing-to-sales', reassignments: 0 } }, minute),
  ];
}

/**
 * Hand-built decisions with a known answer when the tier B threshold goes from 200 to 300 employees:
 * L1 (250, demo request) B -> C, still an MQL, SLA 4h -> 1d; L2 (260, engaged) B -> C and mql -> nurture, so its
 * routing and SLA are not reached; L3 (450) and L4 (1500, tier A) unchanged; L5 recorded without facts; L6 (120)
 * C either way; L7 (240) nurture then a demo request: B -> C twice, SLA 4h -> 1d; account A1's kickoff SLA is
 * unchanged; account A2's renewal has no rules in either revision.
 */
export function decisions(): StoredDecision[] {
  const l1 = { employees: 250, source: 'demo-request' };
  const l2 = { employees: 260, source: 'content', engagement: { score: 50 } };
  const l3 = { employees: 450, source: 'demo-request' };
  const l4 = { employees: 1500, source: 'demo-request' };
  const l7 = { employees: 240, source: 'content', engagement: { score: 10 } };
  return [
    ...attract('L1', l1, 'B', 0),
    ...handoff('L1', l1, 'B', 1),
    ...attract('L2', l2, 'B', 2),
    ...handoff('L2', l2, 'B', 3),
    ...attract('L3', l3, 'B', 4),
    ...handoff('L3', l3, 'B', 5),
    ...attract('L4', l4, 'A', 6),
    ...handoff('L4', l4, 'A', 7),
    row('lead', 'L5', 'icp', '', undefined, 8),
    row('lead', 'L5', 'qualification', '', undefined, 8),
    ...attract('L6', { employees: 120, source: 'content' }, 'C', 9),
    ...attract('L7', l7, 'B', 10),
    ...attract('L7', { ...l7, source: 'demo-request' }, 'B', 11),
    ...handoff('L7', { ...l7, source: 'demo-request' }, 'B', 12),
    row('account', 'A1', 'sla', occasions.kickoff(0), { now: at(13), account: { id: 'A1', arr: 50000 }, owner: { id: 'sofia-rossi' }, handoff: { type: 'sales-to-cs' } }, 13),
    row('account', 'A2', 'renewal', occasions.renewal('2027-03-01', at(14)), { now: at(14), account: { id: 'A2' } }, 14),
  ];
}

/** Commits everything under `root` in a new repository (the base revision a test compares against). */
export function gitCommitAll(root: string): void {
  const git = (...args: string[]) => execFileSync('git', ['-C', root, '-c', 'user.name=Flywheel Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'rules');
}

/**
 * A project in Git with the fixture's base rules committed and the raised threshold in the working tree, and the
 * shipped config (the rules reference its queues): `rules impact --base HEAD` compares the two.
 */
export function scratchRulesRepo(): { root: string; rules: string; configFile: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flywheel-impact-repo-'));
  const rules = path.join(root, 'rules');
  cpSync(new URL('base', fixtures).pathname, rules, { recursive: true });
  mkdirSync(path.join(root, 'config'));
  const configFile = path.join(root, 'config', 'flywheel.yaml');
  cpSync(new URL('../../../config/flywheel.yaml', import.meta.url).pathname, configFile);
  gitCommitAll(root);
  raiseTierB(rules);
  return { root, rules, configFile };
}

/** The ledger rows the fixture's decisions were read from: activity rows, and workflow rows without facts. */
export function ledgerRows(ds: readonly StoredDecision[]): LedgerEvent[] {
  return ds.map((d, i) => {
    if (!d.facts) {
      return {
        key: `old-${i}:decision:${d.kind}`,
        type: 'decision.recorded',
        occurredAt: d.at,
        leadId: d.entityId,
        rulesRevision: d.revision ?? undefined,
        data: { kind: d.kind, matched: d.matched, outcome: d.outcome, inputs: d.inputs },
      };
    }
    const decision = { kind: d.kind, outcome: d.outcome, matched: d.matched, inputs: d.inputs, revision: { id: d.revision, commit: null, contentHash: '', dirty: false } } as unknown as Decision;
    return decisionRow({ entity: d.entity, id: d.entityId, occasion: d.occasion }, decision, d.facts, { at: d.at });
  });
}
