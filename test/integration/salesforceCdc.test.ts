import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlywheelConfig } from '../../src/config/types.ts';
import { salesforceCdc, type SalesforceCdcOptions } from '../../src/connectors/salesforce/cdc/connect.ts';
import { ledgerReplayStore, type ReplayStore } from '../../src/connectors/salesforce/cdc/replayStore.ts';
import type { CdcSubscriber } from '../../src/connectors/salesforce/cdc/subscriber.ts';
import { TemporalEventSink, type EventSink } from '../../src/ingest/temporalSink.ts';
import { leadWorkflowId } from '../../workflows/definitions.ts';
import type { LeadState } from '../../workflows/lead/types.ts';
import { startPubSubContract, type ChangeSpec, type PubSubContractServer, type PublishedEvent } from '../contracts/salesforce/pubsub.ts';
import { eventually } from '../support/eventually.ts';
import { alwaysOpen, waitForState } from '../support/leads.ts';
import { createHarness, type TestHarness } from '../support/temporal.ts';

/**
 * Change Data Capture end to end: a Pub/Sub API contract server (gRPC on loopback, Avro payloads) -> the subscriber
 * -> the shared delivery path -> lead workflows on the dev server, with the replay id in the ledger.
 */

const ORG = '00D5g000004CdCaEAK';
const SESSION = { accessToken: `00D5g000004CdCa!cdc-${Date.now()}`, instanceUrl: 'https://flywheel-cdc.my.salesforce.com', tenantId: ORG };
const SOURCE = `salesforce://org/${ORG}`;
const LEADS = '/data/LeadChangeEvent';
const stamp = Date.now().toString(36).toUpperCase().padStart(10, '0').slice(-10);
let n = 0;
/** A fresh 18-character Lead id. */
const leadSfId = () => `00Q${stamp}${String(++n).padStart(5, '0')}`;

let h: TestHarness;
let contract: PubSubContractServer;
let config: FlywheelConfig;
const logs: string[] = [];
const log = { info: (m: string) => void logs.push(`info ${m}`), warn: (m: string) => void logs.push(`warn ${m}`), error: (m: string) => void logs.push(`error ${m}`) };

/** A Salesforce lead that routes like the mid-market demo request of the other tests. */
function leadFields(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    FirstName: 'Jana',
    LastName: 'Weber',
    Title: 'Head of Analytics',
    Company: 'ShopCo GmbH',
    Email: 'jana.weber@shopco.example',
    Website: 'shopco.example',
    Country: 'DE',
    NumberOfEmployees: 450,
    Industry: 'ecommerce',
    LeadSource: 'demo-request',
    ...over,
  };
}

function publishLead(change: Omit<ChangeSpec, 'recordIds'> & { recordIds?: string[] }, id?: string): PublishedEvent {
  const recordIds = change.recordIds ?? [id!];
  for (const r of recordIds) h.track(leadWorkflowId(`salesforce-${r}`));
  return contract.publish(LEADS, { ...change, recordIds });
}

function leadOf(sfId: string, done: (s: LeadState) => boolean, what: string) {
  return waitForState(h, `salesforce-${sfId}`, done, what);
}

const sink = (): EventSink => new TemporalEventSink(h.client, h.taskQueue);

function subscriber(over: Partial<SalesforceCdcOptions> = {}) {
  const cdc = salesforceCdc({ config, ledger: h.ledger, sink: sink(), session: async () => SESSION, lookupOpportunity: null, backoff: { initialMs: 50, maxMs: 400 }, log, ...over });
  if (!cdc) throw new Error('change data capture is not enabled in the test config');
  cdc.subscriber.start();
  return cdc;
}

async function storedPosition(topic = LEADS): Promise<string | null> {
  const rows = await h.ledger.query<{ position: string }>('SELECT position FROM connector_offsets WHERE connector = $1 AND source = $2 AND stream = $3', ['salesforce-cdc', SOURCE, topic]);
  return rows[0]?.position ?? null;
}

function waitForPosition(event: PublishedEvent, what: string): Promise<string | null> {
  return eventually(
    () => storedPosition(event.topic),
    (p) => p === event.replayId.toString('hex'),
    `replay id stored after ${what}`,
  );
}

function ignoredRows(kind: string) {
  return h.ledger.query<{ record_id: string; reason: string; position: string | null; event_id: string | null; change_type: string | null }>(
    'SELECT record_id, reason, position, event_id, change_type FROM connector_ignored WHERE source = $1 AND kind = $2 ORDER BY id',
    [SOURCE, kind],
  );
}

/** Applied once: the key is in the lead's memory and no delivery of it was recorded as a duplicate. */
function duplicatesOf(s: LeadState): string[] {
  return s.ignored.filter((i) => i.reason.startsWith('duplicate delivery')).map((i) => i.eventId);
}

function status(cdc: { subscriber: CdcSubscriber }) {
  return cdc.subscriber.status().find((t) => t.topic === LEADS)!;
}

beforeAll(async () => {
  contract = await startPubSubContract(SESSION);
  h = await createHarness('dev', 'salesforce-cdc', {
    adjust: (loaded) => {
      alwaysOpen(loaded);
      loaded.config.connections = {
        ...loaded.config.connections,
        salesforce: {
          organizationId: ORG,
          writeBack: { enabled: false },
          // EARLIEST: the first start also takes what was published before it (the bad-token test's lead).
          changeDataCapture: { enabled: true, pubSubEndpoint: contract.endpoint, insecure: true, topics: [LEADS], startFrom: 'EARLIEST', batchSize: 2 },
        },
      };
      config = loaded.config;
    },
  });
});

afterAll(async () => {
  await h?.close();
  await contract?.close();
});

describe('Salesforce Change Data Capture through the Pub/Sub API', () => {
  const early = leadSfId();

  it('a refused token is reported clearly on every attempt and nothing is stored or delivered', async () => {
    publishLead({ changeType: 'CREATE', fields: leadFields({ Email: 'early.bird@shopco.example' }) }, early);
    const cdc = subscriber({ session: async () => ({ ...SESSION, accessToken: 'expired-or-wrong-token' }) });
    try {
      await eventually(
        async () => contract.calls.filter((c) => !c.authorized).length,
        (refused) => refused >= 2,
        'the refused session tried again',
      );
      const st = status(cdc);
      expect(st.lastError).toMatchObject({ kind: 'auth', code: 'UNAUTHENTICATED', errorCode: 'sfdc.platform.eventbus.grpc.service.auth.error' });
      expect(st.position).toBeNull();
      expect(logs.some((l) => l.startsWith('error ') && l.includes('Salesforce refused the session') && l.includes('UNAUTHENTICATED'))).toBe(true);
      // The token itself never reaches the log.
      expect(logs.some((l) => l.includes('expired-or-wrong-token'))).toBe(false);
    } finally {
      await cdc.stop();
    }
    expect(await storedPosition()).toBeNull();
    expect(contract.calls.every((c) => !c.authorized && c.status === 'refused')).toBe(true);
    const wf = await h.client.workflow
      .getHandle(leadWorkflowId(`salesforce-${early}`))
      .describe()
      .catch((e: Error) => e);
    expect(wf).toBeInstanceOf(Error);
  });

  let cdc: ReturnType<typeof subscriber>;
  const jana = leadSfId();

  it('a new Lead and its update become lead.created and lead.updated; the replay id is stored only once Temporal has them', async () => {
    // Deliveries wait for the test's go, so what is stored while Temporal does not have the events yet shows.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    const real = sink();
    const gated: EventSink = { deliver: async (events) => (held++, await gate, real.deliver(events)) };
    cdc = subscriber({ sink: gated });

    const created = publishLead({ changeType: 'CREATE', fields: leadFields() }, jana);
    await eventually(
      async () => held,
      (x) => x >= 1,
      'the first batch handed to delivery',
    );
    expect(await storedPosition()).toBeNull();
    release();

    // The bad-token test's lead was not lost: the first good subscription (EARLIEST) took it.
    await leadOf(early, (s) => s.lead.email === 'early.bird@shopco.example', 'the lead published while the token was refused');
    const s = await leadOf(jana, (x) => x.status !== 'new' && x.lead.email === 'jana.weber@shopco.example', 'created from the CDC event');
    expect(s.lead).toMatchObject({ firstName: 'Jana', lastName: 'Weber', company: 'ShopCo GmbH', country: 'DE', employees: 450, crm: { system: 'salesforce', objectType: 'Lead', id: jana } });
    await waitForPosition(created, 'the create');

    const updated = publishLead({ changeType: 'UPDATE', fields: { Title: 'VP Data', NumberOfEmployees: 520 } }, jana);
    const after = await leadOf(jana, (x) => x.lead.title === 'VP Data', 'updated from the CDC event');
    expect(after.lead.employees).toBe(520);
    expect(after.seen).toEqual(expect.arrayContaining([`${SOURCE}#${created.eventId}`, `${SOURCE}#${updated.eventId}`]));
    await waitForPosition(updated, 'the update');

    // Flywheel's own kind of change (the owner) carries no mapped field: recorded as ignored, the lead untouched.
    const owner = publishLead({ changeType: 'UPDATE', fields: { OwnerId: '005000000000009AAA' } }, jana);
    await waitForPosition(owner, 'the owner change');
    const ignored = await ignoredRows('ignored');
    expect(ignored).toEqual([
      expect.objectContaining({ record_id: jana, event_id: owner.eventId, change_type: 'UPDATE', reason: expect.stringMatching(/no mapped field changed \(changed: .*OwnerId/) }),
    ]);
    expect(duplicatesOf(await leadOf(jana, () => true, 'state'))).toEqual([]);
  });

  it('a batch Temporal did not take stores nothing and is taken again from the stored replay id', async () => {
    await cdc.stop();
    const before = await storedPosition();
    let failNext = true;
    const real = sink();
    const flaky: EventSink = {
      deliver: async (events) => {
        if (failNext) {
          failNext = false;
          throw new Error('14 UNAVAILABLE: Temporal is not reachable');
        }
        return real.deliver(events);
      },
    };
    cdc = subscriber({ sink: flaky });
    const calls = contract.calls.length;
    const update = publishLead({ changeType: 'UPDATE', fields: { Industry: 'retail' } }, jana);
    const s = await leadOf(jana, (x) => x.lead.industry === 'retail', 'the update after the failed delivery');
    expect(duplicatesOf(s)).toEqual([]);
    await waitForPosition(update, 'the retried update');
    // Every stream after the failure resumed from what was stored before it.
    const resumed = contract.calls.slice(calls);
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed.every((c) => c.preset === 'CUSTOM' && c.replayId === before)).toBe(true);
    expect(logs.some((l) => l.includes('events could not be delivered or their replay id not stored') && l.includes('Temporal is not reachable'))).toBe(true);
  });

  it('stopped and restarted, the subscriber resumes after the stored replay id: nothing lost, nothing applied twice', async () => {
    await cdc.stop();
    const stored = await storedPosition();
    const newcomer = leadSfId();
    const whileDown = [
      publishLead({ changeType: 'CREATE', fields: leadFields({ Email: 'newcomer@shopco.example', FirstName: 'Nia' }) }, newcomer),
      publishLead({ changeType: 'UPDATE', fields: { Title: 'Chief Data Officer' } }, jana),
    ];
    const calls = contract.calls.length;
    cdc = subscriber();
    await leadOf(newcomer, (s) => s.lead.email === 'newcomer@shopco.example', 'created while the subscriber was down');
    const s = await leadOf(jana, (x) => x.lead.title === 'Chief Data Officer', 'updated while the subscriber was down');
    await waitForPosition(whileDown[1]!, 'the events published while down');
    expect(contract.calls[calls]).toMatchObject({ preset: 'CUSTOM', replayId: stored, authorized: true });
    expect(duplicatesOf(s)).toEqual([]);
    expect(duplicatesOf(await leadOf(newcomer, () => true, 'state'))).toEqual([]);
    // Only what came after the stored position was sent again.
    expect(contract.calls[calls]!.sent.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('a crash after delivery but before the replay id was stored: the batch comes again and is applied once', async () => {
    await cdc.stop();
    const inner = ledgerReplayStore(h.ledger, SOURCE);
    let crashNext = true;
    const store: ReplayStore = {
      ...inner,
      save: async (...args) => {
        if (crashNext) {
          crashNext = false;
          throw new Error('the process died before the replay id was written');
        }
        return inner.save(...args);
      },
    };
    const before = await storedPosition();
    cdc = subscriber({ store });
    const update = publishLead({ changeType: 'UPDATE', fields: { LeadSource: 'webinar' } }, jana);
    await waitForPosition(update, 'the redelivered update');
    const s = await leadOf(jana, (x) => x.lead.source === 'webinar', 'the update');
    // Delivered twice (before and after the crash), applied once: the second is a recognised duplicate.
    expect(duplicatesOf(s)).toEqual([update.eventId]);
    expect(s.seen.filter((k) => k === `${SOURCE}#${update.eventId}`)).toHaveLength(1);
    expect(contract.calls.filter((c) => c.replayId === before && c.preset === 'CUSTOM').length).toBeGreaterThanOrEqual(2);
  });

  it('a stream that drops mid-way reconnects and resumes after the last stored replay id; no batch exceeds what was requested', async () => {
    const calls = contract.calls.length;
    const open = contract.calls.filter((c) => c.status === 'open');
    expect(open).toHaveLength(1);
    contract.dropAfter(1);
    const ids = [leadSfId(), leadSfId(), leadSfId()];
    const events = ids.map((id, i) => publishLead({ changeType: 'CREATE', fields: leadFields({ Email: `burst${i}@shopco.example`, FirstName: `Burst${i}` }) }, id));
    for (const [i, id] of ids.entries()) await leadOf(id, (s) => s.lead.email === `burst${i}@shopco.example`, `burst lead ${i}`);
    await waitForPosition(events[2]!, 'the burst');
    // The open stream sent one event and was reset; the next one resumed right after that event.
    expect(open[0]).toMatchObject({ status: 'dropped', error: { code: 'UNAVAILABLE' } });
    expect(contract.calls[calls]).toMatchObject({ preset: 'CUSTOM', replayId: events[0]!.replayId.toString('hex') });
    for (const id of ids) expect(duplicatesOf(await leadOf(id, () => true, 'state'))).toEqual([]);
    // Flow control: batches of at most batchSize (2), and a new request only once the previous batch was all sent.
    for (const c of contract.calls.filter((x) => x.authorized)) {
      expect(Math.max(0, ...c.sent)).toBeLessThanOrEqual(2);
      expect(c.requested.every((r) => r === 2)).toBe(true);
      expect(c.owedAtRequest.slice(1).every((o) => o === 0)).toBe(true);
    }
    expect(status(cdc).reconnects).toBeGreaterThanOrEqual(1);
  });

  it('gap events are recorded as ignored with the records to re-read', async () => {
    const gap = publishLead({ changeType: 'GAP_UPDATE', recordIds: [jana] });
    await waitForPosition(gap, 'the gap event');
    expect(await ignoredRows('gap')).toEqual([
      expect.objectContaining({ record_id: jana, change_type: 'GAP_UPDATE', event_id: gap.eventId, reason: expect.stringMatching(/re-read the Lead record/) }),
    ]);
  });

  it('a stored replay id Salesforce no longer keeps is a recorded gap, and the stream restarts at LATEST', async () => {
    await cdc.stop();
    const lost = await storedPosition();
    const missed = leadSfId();
    const gone = publishLead({ changeType: 'CREATE', fields: leadFields({ Email: 'missed@shopco.example' }) }, missed);
    // Retention passed: nothing up to and including the missed event is kept any more.
    contract.expireBefore(LEADS, Buffer.from((gone.replayId.readBigUInt64BE(0) + 1n).toString(16).padStart(16, '0'), 'hex'));
    const calls = contract.calls.length;
    cdc = subscriber();
    const resets = await eventually(
      () => ignoredRows('replay-reset'),
      (rows) => rows.length === 1,
      'the lost replay id recorded',
    );
    expect(resets[0]).toMatchObject({ position: lost, reason: expect.stringMatching(/no longer keeps replay id .*resubscribed at LATEST.*full re-read/) });
    // The new stream is at the tip once the server took its first request.
    await eventually(
      async () => contract.calls.slice(calls),
      (c) => c.some((x) => x.preset === 'LATEST' && x.status === 'open'),
      'resubscribed at LATEST',
    );
    expect(contract.calls[calls]).toMatchObject({
      preset: 'CUSTOM',
      replayId: lost,
      status: 'refused',
      error: { code: 'INVALID_ARGUMENT', errorCode: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted' },
    });
    expect(logs.some((l) => l.startsWith('error ') && l.includes(`no longer keeps replay id ${lost}`))).toBe(true);
    // From the tip on, new changes flow again and their position is stored.
    const fresh = leadSfId();
    const next = publishLead({ changeType: 'CREATE', fields: leadFields({ Email: 'fresh@shopco.example' }) }, fresh);
    await leadOf(fresh, (s) => s.lead.email === 'fresh@shopco.example', 'created after the gap');
    await waitForPosition(next, 'the first event after the gap');
  });

  it("a keepalive's latest replay id is stored once everything before it was taken, and a restart resumes there", async () => {
    // The event bus moved on without an event for this org; the server says so in a keepalive.
    const tip = contract.advanceTip(LEADS).toString('hex');
    expect(contract.keepaliveNow()).toBe(1);
    await eventually(
      () => storedPosition(),
      (p) => p === tip,
      'the keepalive position stored',
    );
    await cdc.stop();
    const calls = contract.calls.length;
    cdc = subscriber();
    await eventually(
      async () => contract.calls.slice(calls),
      (c) => c.some((x) => x.preset === 'CUSTOM' && x.replayId === tip && x.status === 'open'),
      'resumed at the keepalive position',
    );
    const later = leadSfId();
    const event = publishLead({ changeType: 'CREATE', fields: leadFields({ Email: 'later@shopco.example' }) }, later);
    await leadOf(later, (s) => s.lead.email === 'later@shopco.example', 'created after resuming at the keepalive position');
    await waitForPosition(event, 'the event after the keepalive');
    // No new gap: the keepalive position was one Salesforce keeps.
    expect(await ignoredRows('replay-reset')).toHaveLength(1);
    await cdc.stop();
  });
});
