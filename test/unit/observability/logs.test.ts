import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import { createLogger, PinoSdkLogger, REDACTED, redact, type Logger } from '../../../src/observability/logs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Logs through a real file-backed logger and reads the JSON lines back. */
async function linesOf(write: (log: Logger) => void): Promise<Record<string, unknown>[]> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.log`);
  const log = createLogger({ file, base: { process: 'test' } });
  write(log);
  // The destination opens and writes asynchronously (it never holds up the worker): wait for the line.
  const text = await eventually(
    async () => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    (t) => t.endsWith('\n'),
    `a line in ${file}`,
  );
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('JSON logs', () => {
  it('mask secrets and personal fields wherever they are, and e-mail addresses in text', async () => {
    const [line, ...rest] = await linesOf((log) =>
      log.warn(
        {
          leadId: 'lead-42',
          req: { headers: { Authorization: 'Bearer s3cr3t', 'x-flywheel-signature': 'v1=abc', 'content-type': 'application/json' } },
          lead: { email: 'jana.weber@shopco.example', phone: '+49 30 1234567', firstName: 'Jana', lastName: 'Weber', company: 'ShopCo GmbH', employees: 450 },
          contacts: [{ name: 'Max Muster', mobile: '+49 170 000000' }],
          token: 'hs-token',
        },
        'could not reach jana.weber@shopco.example',
      ),
    );
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 'warn',
      process: 'test',
      leadId: 'lead-42',
      msg: `could not reach ${REDACTED}`,
      req: { headers: { Authorization: REDACTED, 'x-flywheel-signature': REDACTED, 'content-type': 'application/json' } },
      lead: { email: REDACTED, phone: REDACTED, firstName: REDACTED, lastName: REDACTED, company: 'ShopCo GmbH', employees: 450 },
      contacts: [{ name: REDACTED, mobile: REDACTED }],
      token: REDACTED,
    });
    const text = JSON.stringify(line);
    for (const secret of ['s3cr3t', 'v1=abc', 'jana.weber', '+49', 'Weber', 'Max Muster', 'hs-token']) expect(text).not.toContain(secret);
  });

  it("keep an error's type and message, scrubbed", async () => {
    const [line] = await linesOf((log) => log.error({ err: new TypeError('CRM refused buyer@shop.example') }, 'failed'));
    expect(line!.err).toMatchObject({ type: 'TypeError', message: `CRM refused ${REDACTED}` });
  });

  it("turn the Temporal SDK's lines into JSON with the workflow's meta and the lead it names", async () => {
    const [line] = await linesOf((log) =>
      new PinoSdkLogger(log).warn('Activity failed', { workflowId: 'lead:L-7', workflowRunId: 'run-1', activityType: 'notifyCrm', taskToken: 'AAAA', sdkComponent: 'worker' }),
    );
    expect(line).toMatchObject({ level: 'warn', msg: 'Activity failed', leadId: 'L-7', workflowId: 'lead:L-7', workflowRunId: 'run-1', activityType: 'notifyCrm', taskToken: REDACTED });
  });

  it('bound deep and cyclic values instead of failing', () => {
    const a: Record<string, unknown> = { phone: '1' };
    a.self = a;
    expect(redact(a)).toEqual({ phone: REDACTED, self: '[…]' });
  });
});
