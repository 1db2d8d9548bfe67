import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';

export interface ScheduleDefinition {
  spec: ScheduleOptions['spec'];
  action: ScheduleOptions['action'];
  /** Shown beside the Schedule in the Temporal UI and CLI. */
  note: string;
}

/**
 * Creates a Schedule, or updates it in place when it exists: safe to call on every start or deploy. Overlap SKIP (a
 * run still going when the next is due makes that one skip, never run beside it) and a day's catch-up window (a
 * server down at the due time still runs it when it is back the same day): what Flywheel's Schedules all want.
 */
export async function upsertSchedule(client: Client, scheduleId: string, def: ScheduleDefinition): Promise<{ scheduleId: string; created: boolean }> {
  const { spec, action, note } = def;
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' };
  const handle = client.schedule.getHandle(scheduleId);
  try {
    await handle.describe();
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
    try {
      await client.schedule.create({ scheduleId, spec, action, policies, state: { note } });
      return { scheduleId, created: true };
    } catch (err) {
      // Someone else created it between our describe and create: fall through to the update.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  await handle.update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, ...policies }, state: { ...prev.state, note } }));
  return { scheduleId, created: false };
}
