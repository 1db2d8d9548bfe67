import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import { scratchProject, type ScratchProject } from '../support/scratchProject.ts';
import { isAlive, startCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';

interface Ready {
  temporal: string;
  ui: string;
  api: string;
  codec?: string;
  temporalPid: number;
}
type JsonPayload = { metadata: Record<string, string>; data: string };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const text = (s: string) => Buffer.from(s, 'base64').toString();

describe('flywheel dev with payload encryption: the Web UI decodes through the dev API without a token', () => {
  let project: ScratchProject;
  let run: ReturnType<typeof startCli>;
  let ready: Ready;
  const leadId = `00Q-devcodec-${randomUUID()}`;
  const email = `${randomUUID()}@shopco.example`;

  beforeAll(async () => {
    project = await scratchProject('dev-codec');
    // No FLYWHEEL_CODEC_TOKEN: the dev UI is the only browser caller, and it has none to send.
    run = startCli(['dev', '--json'], {
      FLYWHEEL_CONFIG: project.configFile,
      FLYWHEEL_PAYLOAD_KEYS: `dev-1:${randomBytes(32).toString('base64')}`,
      FLYWHEEL_CODEC_TOKEN: '',
      FLYWHEEL_CODEC_ORIGINS: '',
    });
    ready = (await run.firstJsonLine) as unknown as Ready;
  });
  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGINT');
      await run.exited;
    }
    if (ready) expect(isAlive(ready.temporalPid)).toBe(false);
    if (project) rmSync(project.root, { recursive: true, force: true });
  });

  const decode = (headers: Record<string, string>, payloads: JsonPayload[]) =>
    fetch(`${ready.codec}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify({ payloads }) });

  it('starts the Web UI with the dev API as its codec server, and that UI origin decodes the lead the CRM sent', { timeout: 120_000 }, async () => {
    expect(ready.codec).toBe(`${ready.api}/v1/codec`);
    // What the UI's browser code reads at start (`--ui-codec-endpoint` as the UI server serves it).
    const settings = (await (await fetch(`${ready.ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string; PassAccessToken: boolean } };
    expect(settings.Codec).toMatchObject({ Endpoint: ready.codec, PassAccessToken: false });

    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/crm/test',
      type: 'lead.created',
      subject: leadId,
      time: new Date().toISOString(),
      data: { email, company: 'ShopCo GmbH', country: 'DE', employees: 450 },
    };
    const posted = await fetch(`${ready.api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(posted.status).toBe(202);

    // Read the history as the UI does: raw, from Temporal, without any codec.
    const connection = await Connection.connect({ address: ready.temporal });
    let signal: JsonPayload;
    try {
      const history = await eventually(
        async () =>
          (await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: leadWorkflowId(leadId) } }).catch(() => undefined))?.history ?? undefined,
        (h) => h.events!.some((e) => e.workflowExecutionSignaledEventAttributes),
        'the lead workflow signalled with the CRM event',
        30_000,
      );
      const p = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes)!.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!;
      signal = { metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(p.data!).toString('base64') };
    } finally {
      await connection.close();
    }
    expect(text(signal.metadata.encoding!)).toBe('binary/encrypted');
    expect(text(signal.data)).not.toContain(email);

    // The dev UI's origin, as the browser names it whichever loopback host the operator typed.
    const uiPort = new URL(ready.ui).port;
    for (const origin of [ready.ui, `http://localhost:${uiPort}`]) {
      const preflight = await fetch(`${ready.codec}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      const res = await decode({ origin }, [signal]);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      const [decoded] = ((await res.json()) as { payloads: JsonPayload[] }).payloads;
      expect(text(decoded!.metadata.encoding!)).toBe('json/plain');
      expect(JSON.parse(text(decoded!.data))).toMatchObject({ type: 'lead.created', subject: leadId, data: { email } });
    }
  });

  it('refuses any other origin, a request without one, and a wrong token', async () => {
    const payloads = [{ metadata: { encoding: b64('json/plain') }, data: b64('{}') }];
    const attempts: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: `http://127.0.0.1:${new URL(ready.api).port}` }, {}, { authorization: 'Bearer guessed' }];
    for (const headers of attempts) {
      const res = await decode(headers, payloads);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
