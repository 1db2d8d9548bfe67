import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { BusinessCalendar } from '../../../src/calendar/businessCalendar.ts';
import { installQuietRuntime } from '../../../src/runtime/devStack.ts';
import { at, BERLIN, HOUR } from './helpers.ts';
import type { CalendarProbe, calendarInSandbox } from './sandboxWorkflow.ts';

const probe: CalendarProbe = {
  calendar: { id: 'emea', timezone: BERLIN, hours: { mon: ['09:00-12:00', '13:00-17:00'], fri: ['09:00-17:00'] }, holidays: ['2026-03-30'] },
  rep: { id: 'r', name: 'R', email: 'r@example.test', team: 't', timezone: 'Asia/Tokyo', outOfOffice: [{ from: '2026-03-27', to: '2026-03-28' }] },
  start: at(BERLIN, '2026-03-27 16:30'),
  durationMs: 4 * HOUR,
};

describe('inside a Temporal workflow', () => {
  it('bundles (no Node APIs) and computes what it computes outside', async () => {
    installQuietRuntime();
    const address = inject('temporal').devAddress;
    // The bundler rejects Node built-ins, so this also proves the calendar modules stay workflow-safe.
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./sandboxWorkflow.ts', import.meta.url)),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const connection = await NativeConnection.connect({ address });
    const taskQueue = `calendar-sandbox-${randomUUID()}`;
    // A no-op activity only so the worker does not warn that it has none to poll for.
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: { code: bundle.code }, activities: { noop: async () => undefined } });
    const clientConnection = await Connection.connect({ address });
    try {
      const client = new Client({ connection: clientConnection });
      const result = await worker.runUntil(client.workflow.execute<typeof calendarInSandbox>('calendarInSandbox', { taskQueue, workflowId: taskQueue, args: [probe] }));
      const cal = new BusinessCalendar(probe.calendar);
      const due = cal.addBusinessTime(probe.start, probe.durationMs);
      // Friday 30 min, Monday is a holiday, then Friday 2026-04-03 (CEST by then) 09:00 + 3.5h.
      expect(due).toBe(at(BERLIN, '2026-04-03 12:30'));
      // The Tokyo rep's leave runs to the end of Saturday in Tokyo, so 16:30 on Friday in Berlin is covered.
      expect(result).toEqual({ due, between: probe.durationMs, nextOpen: probe.start, available: false });
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  });
});
