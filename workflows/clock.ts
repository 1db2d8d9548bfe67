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
  /** Pause reasons the SLA rule allows, fixed with the clock (absent on clocks started before pausing existed). */
  pause?: { reasons: string[]; maxPause: string | null };
}

/**
 * Where a clock stands. `held` is a lead nobody could take yet (no clock runs until someone is assigned);
 * `paused` stops the clock until it resumes, the paused business time is added to its deadline.
 */
export type ClockStatus = 'none' | 'running' | 'warned' | 'breached' | 'met' | 'held' | 'paused';

export interface ClockPause {
  at: string;
  reason: string;
  /** The CRM's "until" or the rule's maxPause, whichever is first; null: until a resume event. */
  until: string | null;
  /** The status the clock goes back to on resume. */
  resumeTo: 'running' | 'warned';
}

/** A started clock and its progress: what both workflows keep in state. */
export interface RunningClock extends HandoffClock {
  status: ClockStatus;
  metAt?: string;
  /** Set while paused. */
  paused?: ClockPause | null;
  /** Business ms excluded from the clock by pauses so far, and how many pauses there were. */
  pausedMs?: number;
  pauses?: number;
}

/** What `resumeClock` computes on the clock's calendar: the shifted warning and deadline. */
export interface ClockResume {
  warnAt: string;
  deadline: string;
  /** Business ms between the pause and the resume on the clock's calendar (what the deadline moved by). */
  pausedBusinessMs: number;
}
