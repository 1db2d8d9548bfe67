/**
 * Pausing a hand-off clock: which reasons may pause it and how a resume moves the clock (the state transitions are
 * in clockMachine.ts). Pure (type imports only), so workflow code can use it; `resumeClock` runs the shift on the
 * clock's real calendar.
 */
import type { BusinessCalendar } from '../calendar/businessCalendar.ts';
import type { ClockResume, ClockStatus, HandoffClock } from '../../workflows/clock.ts';

/** The clock fields a resume reads; `paused.resumeTo` tells a paused clock whether it had warned. */
export interface PausedClockView {
  warnAt: string;
  deadline: string;
  status: ClockStatus;
  paused?: { resumeTo: 'running' | 'warned' } | null;
}

/** CRM reasons arrive as words or kebab-case ("Awaiting customer", "awaiting_customer"); rules list kebab-case. */
export function pauseReasonKey(reason: string): string {
  return reason
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-');
}

/** Whether the clock's SLA rule lets `reason` pause it; a clock without `pause` (older, or no rule) never pauses. */
export function mayPause(pause: HandoffClock['pause'], reason: string): boolean {
  const key = pauseReasonKey(reason);
  return (pause?.reasons ?? []).some((r) => pauseReasonKey(r) === key);
}

/**
 * The clock after a pause from `pausedAt` to `resumedAt` (epoch ms): the business time that was left to the
 * deadline (and to the warning, unless the clock had already warned) is counted again from the resume, so the
 * paused business time is excluded. A pause that lies wholly outside business hours moves nothing.
 */
export function resumeShift(calendar: Pick<BusinessCalendar, 'addBusinessTime' | 'businessTimeBetween'>, clock: PausedClockView, pausedAt: number, resumedAt: number): ClockResume {
  const resume = Math.max(resumedAt, pausedAt);
  const shift = (iso: string) => new Date(calendar.addBusinessTime(resume, calendar.businessTimeBetween(pausedAt, Date.parse(iso)))).toISOString();
  const warned = clock.status === 'warned' || clock.status === 'breached' || (clock.status === 'paused' && clock.paused?.resumeTo === 'warned');
  return {
    warnAt: warned ? clock.warnAt : shift(clock.warnAt),
    deadline: shift(clock.deadline),
    pausedBusinessMs: calendar.businessTimeBetween(pausedAt, resume),
  };
}
