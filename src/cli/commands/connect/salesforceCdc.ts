import type { Command } from 'commander';
import { loadConfig } from '../../../config/load.ts';
import type { TopicStatus } from '../../../connectors/salesforce/cdc/subscriber.ts';
import { CliError } from '../../errors.ts';

/**
 * `flywheel connect salesforce-cdc`: the Change Data Capture subscriber (src/connectors/salesforce/cdc) as its own
 * process, against the Temporal cluster in the environment and the configured ledger (through `flywheel dev`'s
 * socket when it runs). `flywheel dev` starts the same subscriber itself when the configuration enables it, so
 * this verb is for deployments: run one per org (two would each deliver every event; harmless, the workflows apply
 * each once, but wasteful). Exit 2 when the configuration does not enable it.
 */
export function registerConnectSalesforceCdc(connect: Command): void {
  connect
    .command('salesforce-cdc')
    .description(
      'Subscribe to Salesforce Change Data Capture (Pub/Sub API) and deliver Lead/Opportunity changes as Flywheel events; ' +
        'resumes after the replay id stored in the ledger (first start: changeDataCapture.startFrom, default LATEST). ' +
        'Needs connections.salesforce.changeDataCapture.enabled and the OAuth variables the connection names',
    )
    .option('--json', 'print one JSON line with the topics once started, and one per topic when stopped')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const sf = loaded.config.connections?.salesforce;
      if (!sf) throw new CliError('connections.salesforce is not configured: there is no org to subscribe to', 2);
      if (!sf.changeDataCapture?.enabled) throw new CliError('connections.salesforce.changeDataCapture.enabled is not true: set it to subscribe to Change Data Capture', 2);
      const { salesforceCdc, DEFAULT_CDC_TOPICS, DEFAULT_PUBSUB_ENDPOINT } = await import('../../../connectors/salesforce/cdc/connect.ts');
      const { targetFromEnvironment, connectClient, describeTarget } = await import('../../../temporal/connection.ts');
      const { openLedger } = await import('../../../ledger/open.ts');
      const { dataPaths } = await import('../../../runtime/paths.ts');
      const { TemporalEventSink } = await import('../../../ingest/temporalSink.ts');
      const { onShutdownSignal } = await import('../../../runtime/shutdown.ts');
      const { DEFAULT_TASK_QUEUE } = await import('../../../../workflows/definitions.ts');

      const target = targetFromEnvironment();
      const client = await connectClient(target);
      const ledger = await openLedger({ root: loaded.root, embeddedDir: dataPaths(loaded).ledgerDir, role: 'auto' }).catch(async (e: unknown) => {
        await client.connection.close();
        throw e;
      });
      const taskQueue = loaded.config.temporal?.taskQueue ?? DEFAULT_TASK_QUEUE;
      const log = {
        info: (m: string) => void process.stderr.write(`${m}\n`),
        warn: (m: string) => void process.stderr.write(`warning: ${m}\n`),
        error: (m: string) => void process.stderr.write(`error: ${m}\n`),
      };
      const cdc = salesforceCdc({ config: loaded.config, ledger, sink: new TemporalEventSink(client, taskQueue), log })!;
      cdc.subscriber.start();
      const cfg = sf.changeDataCapture;
      const topics = cfg.topics ?? DEFAULT_CDC_TOPICS;
      const endpoint = cfg.pubSubEndpoint ?? DEFAULT_PUBSUB_ENDPOINT;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ ready: true, org: sf.organizationId, endpoint, topics, startFrom: cfg.startFrom ?? 'LATEST', temporal: describeTarget(target), taskQueue, ledger: ledger.description })}\n`,
        );
      } else {
        process.stdout.write(
          [
            `Salesforce Change Data Capture for org ${sf.organizationId} via ${endpoint}${cfg.insecure ? ' (insecure)' : ''}`,
            `  Topics     ${topics.join(', ')} (without a stored replay id: ${cfg.startFrom ?? 'LATEST'})`,
            `  Delivers   to ${taskQueue} on ${describeTarget(target)}`,
            `  Ledger     ${ledger.description}`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      }
      await onShutdownSignal(async () => {
        await cdc.stop();
        const report = (s: TopicStatus) =>
          opts.json ? JSON.stringify({ stopped: true, ...s }) : `${s.topic}: ${s.delivered} delivered, ${s.ignored} ignored, resumes after replay id ${s.position ?? '(none stored)'}`;
        for (const s of cdc.subscriber.status()) process.stdout.write(`${report(s)}\n`);
        await client.connection.close();
        await ledger.close();
      });
    });
}
