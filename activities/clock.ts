import { calendarFor } from '../src/routing/candidates.ts';
import { resumeShift, type PausedClockView } from '../src/sla/pause.ts';
import type { ClockResume, HandoffClock } from '../workflows/clock.ts';
import type { ActivityDeps } from './deps.ts';

export interface ResumeClockRequest {
  /** The paused clock (lead SLA or kickoff; the kickoff clock has no `handoff`, which a resume does not need). */
  clock: Pick<HandoffClock, 'warnAt' | 'deadline' | 'calendar'> & PausedClockView;
  pausedAt: string;
  resumedAt: string;
}

/**
 * The warning and deadline of a clock resumed after a pause, on the clock's own business calendar. An activity
 * because the calendar (zones, holidays) is config the workflow cannot read; pure compute, so the workflow writes
 * the `sla.paused` / `sla.resumed` ledger rows itself.
 */
export function createResumeClock({ config }: Pick<ActivityDeps, 'config'>) {
  return async function resumeClock(req: ResumeClockRequest): Promise<ClockResume> {
    return resumeShift(calendarFor(config.config, req.clock.calendar), req.clock, Date.parse(req.pausedAt), Date.parse(req.resumedAt));
  };
}
