// Bundled by workflowSandbox.test.ts: the calendar must work inside Temporal's deterministic workflow sandbox.
import { BusinessCalendar } from '../../../src/calendar/businessCalendar.ts';
import { isRepAvailable } from '../../../src/calendar/availability.ts';
import type { CalendarConfig, RepConfig } from '../../../src/config/types.ts';

export interface CalendarProbe {
  calendar: CalendarConfig;
  rep: RepConfig;
  start: number;
  durationMs: number;
}

export async function calendarInSandbox(p: CalendarProbe): Promise<{ due: number; between: number; nextOpen: number; available: boolean }> {
  const cal = new BusinessCalendar(p.calendar);
  const due = cal.addBusinessTime(p.start, p.durationMs);
  return { due, between: cal.businessTimeBetween(p.start, due), nextOpen: cal.nextOpen(p.start), available: isRepAvailable(p.rep, cal, p.start) };
}
