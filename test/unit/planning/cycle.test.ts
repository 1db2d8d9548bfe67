import { describe, expect, it } from 'vitest';
import { approvalDeadlineMs, cycleFolderName, pickPeriod, reviewWindow } from '../../../src/planning/cycle.ts';
import { decisionProblem } from '../../../workflows/planning/decision.ts';
import type { PlanningState } from '../../../workflows/planning/types.ts';
import { shippedPlan } from './sample.ts';

describe('planning cycle helpers', () => {
  const plan = shippedPlan();

  it('reviews the latest period that ended, else the running one, or the one named', () => {
    // The shipped cadence (08:00 Berlin on the 1st) reviews the month that just closed.
    expect(pickPeriod(plan, new Date('2027-03-01T07:00:00Z')).id).toBe('2027-02');
    expect(pickPeriod(plan, new Date('2027-03-01T00:00:00Z')).id).toBe('2027-02');
    expect(pickPeriod(plan, new Date('2027-03-17T12:00:00Z')).id).toBe('2027-02');
    // Before any period ended: the running one; before the plan starts: the first.
    expect(pickPeriod(plan, new Date('2027-01-20T00:00:00Z')).id).toBe('2027-01');
    expect(pickPeriod(plan, new Date('2026-06-01T00:00:00Z')).id).toBe('2027-01');
    expect(pickPeriod(plan, new Date('2030-01-01T00:00:00Z')).id).toBe('2027-12');
    expect(pickPeriod(plan, new Date(), '2027-05').id).toBe('2027-05');
    expect(() => pickPeriod(plan, new Date(), '2031-01')).toThrow(/no period "2031-01"/);
  });

  it('measures a running period up to now, an ended or future one whole', () => {
    const p = plan.periods[2]!; // 2027-03
    expect(reviewWindow(p, new Date('2027-03-10T12:00:00Z'))).toEqual({ from: '2027-03-01T00:00:00.000Z', to: '2027-03-10T12:00:00.000Z' });
    expect(reviewWindow(p, new Date('2027-05-01T00:00:00Z'))).toEqual({ from: '2027-03-01T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' });
    expect(reviewWindow(p, new Date('2026-01-01T00:00:00Z'))).toEqual({ from: '2027-03-01T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' });
  });

  it('reads the approval deadline as wall-clock time', () => {
    expect(approvalDeadlineMs('5d')).toBe(5 * 86_400_000);
    expect(approvalDeadlineMs('36h')).toBe(36 * 3_600_000);
    expect(() => approvalDeadlineMs('0d')).toThrow(/positive duration/);
    expect(() => approvalDeadlineMs('soon')).toThrow(/positive duration/);
  });

  it('names report folders safely', () => {
    expect(cycleFolderName('2027-03')).toBe('2027-03');
    expect(cycleFolderName('scheduled-2027-04-01T06:00:00Z')).toBe('scheduled-2027-04-01T06-00-00Z');
    expect(cycleFolderName('../../etc')).toBe('etc');
  });
});

describe('the decide update validator', () => {
  const state = (over: Partial<PlanningState> = {}): PlanningState => ({
    cycle: '2027-03',
    workflowId: 'planning:2027-03',
    step: 'align',
    status: 'awaiting-decision',
    startedAt: '2027-04-01T06:00:00Z',
    planFile: null,
    period: null,
    approvers: ['jonas-becker', 'maya-brooks'],
    escalateTo: ['lena-vogel'],
    deadline: null,
    expiresAt: null,
    escalatedAt: null,
    report: null,
    summary: null,
    carried: null,
    decision: null,
    ...over,
  });

  it('accepts an approver, also after escalation', () => {
    expect(decisionProblem(state(), { decision: 'approve', by: 'jonas-becker' })).toBeNull();
    expect(decisionProblem(state({ status: 'escalated' }), { decision: 'requestChanges', by: 'maya-brooks', comments: 'cut paid search' })).toBeNull();
  });

  it('refuses strangers, empty change requests, unknown decisions, early and repeated decisions', () => {
    expect(decisionProblem(state(), { decision: 'approve', by: 'lena-vogel' })).toMatch(/"lena-vogel" is not an approver of this plan \(approvers: jonas-becker, maya-brooks\)/);
    expect(decisionProblem(state(), { decision: 'requestChanges', by: 'jonas-becker', comments: '  ' })).toMatch(/requestChanges needs comments/);
    expect(decisionProblem(state(), { decision: 'requestChanges', by: 'jonas-becker' })).toMatch(/requestChanges needs comments/);
    expect(decisionProblem(state(), { decision: 'maybe' as 'approve', by: 'jonas-becker' })).toMatch(/must be "approve" or "requestChanges"/);
    expect(decisionProblem(state({ status: 'running', step: 'analyze' }), { decision: 'approve', by: 'jonas-becker' })).toMatch(/no published report yet \(step analyze\)/);
    expect(decisionProblem(state({ status: 'expired' }), { decision: 'approve', by: 'jonas-becker' })).toMatch(/expired/);
    const decided = state({ status: 'approved', decision: { decision: 'approve', by: 'maya-brooks', at: '2027-04-02T09:00:00Z', late: false } });
    expect(decisionProblem(decided, { decision: 'approve', by: 'jonas-becker' })).toMatch(/already decided: approve by maya-brooks/);
  });
});
