/** A hand-off SLA clock as fixed when it started; both hand-offs (marketing -> sales, sales -> CS) share it. Pure type. */
export interface HandoffClock {
  handoff: 'marketing-to-sales' | 'sales-to-cs';
  rule: string | null;
  target: string;
  startedAt: string;
  warnAt: string;
  deadline: string;
  calendar: string;
  escalation: { notify: string[]; reassign: boolean; maxReassignments: number; then: string | null };
}
