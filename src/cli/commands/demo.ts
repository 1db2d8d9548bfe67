import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { displayPath, loadConfig } from '../../config/load.ts';
import { DemoDataError, resetDemoData } from '../../demo/dataDir.ts';
import { CliError } from '../errors.ts';

const DEMO_CONFIG = fileURLToPath(new URL('../../../demo/config/flywheel.yaml', import.meta.url));

// The stack (Temporal worker, fastify, PGlite) and the simulator load inside the action, so --help stays fast.
const load = async () => ({
  ...(await import('../../runtime/devStack.ts')),
  ...(await import('../../temporal/devServer.ts')),
  ...(await import('../../runtime/shutdown.ts')),
  ...(await import('../../ingest/secrets.ts')),
  ...(await import('../../demo/run.ts')),
  ...(await import('../../demo/report.ts')),
});

interface DemoOpts {
  leads: number;
  minutes: number;
  seed: number;
  exit?: boolean;
  json?: boolean;
}

function whole(name: string, min: number, max: number) {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min || x > max) throw new CliError(`${name} must be a whole number from ${min} to ${max}, got "${v}"`, 2);
    return x;
  };
}

function minutes(v: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0.25 || x > 30) throw new CliError(`--minutes must be a number from 0.25 to 30, got "${v}"`, 2);
  return x;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Live demo: the local stack plus a simulated CRM, sales team, customer success and customers, with SLAs and contracts in seconds (demo/config, demo/rules)')
    .option('--leads <n>', 'how many leads the CRM sends', whole('--leads', 1, 5000), 300)
    .option('--minutes <m>', 'how long the CRM keeps sending events', minutes, 1.5)
    .option('--seed <s>', 'seed of the lead mix and of how the sales team and the customers behave', whole('--seed', 0, 2 ** 31 - 1), 7)
    .option(
      '--exit',
      'stop after the summary; exit 1 unless leads were routed, SLAs met and breached, leads reassigned, deals won, customers onboarded, a customer renewed, one churned and a referral became a lead',
    )
    .option('--json', 'print the summary as one JSON line on stdout (progress goes to stderr)')
    .action(async (opts: DemoOpts, cmd: Command) => {
      const t0 = performance.now();
      // --config (which the global hook copies into FLYWHEEL_CONFIG) or FLYWHEEL_CONFIG wins; else the demo's own.
      const chosen = (cmd.optsWithGlobals().config as string | undefined) ?? process.env.FLYWHEEL_CONFIG;
      if (!chosen) process.env.FLYWHEEL_CONFIG = DEMO_CONFIG;
      const loaded = loadConfig();
      const info = opts.json ? process.stderr : process.stdout;
      if (loaded.file !== DEMO_CONFIG) process.stderr.write(`note: using ${displayPath(loaded.file)}, not the demo's own ${displayPath(DEMO_CONFIG)}\n`);
      if (process.env.DATABASE_URL) {
        // The demo resets its data at every start: that must never reach a real database.
        process.stderr.write('note: the demo always uses its own embedded ledger; DATABASE_URL is ignored\n');
        delete process.env.DATABASE_URL;
      }

      try {
        resetDemoData(loaded);
      } catch (e) {
        if (e instanceof DemoDataError) throw new CliError(e.message, 1);
        throw e;
      }
      const m = await load();
      info.write(`Starting the Flywheel stack for the demo (${displayPath(loaded.file)})...\n`);
      const stack = await m.startDevStack(loaded).catch((e: unknown) => {
        // A taken port or a missing binary is the operator's to fix: one line, no stack trace.
        throw e instanceof m.DevServerError ? new CliError(e.message, 1) : e;
      });
      let stopping: Promise<void> | undefined;
      const stop = () => (stopping ??= stack.stop());
      const abort = new AbortController();
      const signalled = m.onShutdownSignal(async () => {
        abort.abort();
        process.stderr.write('\nstopping the demo stack...\n');
        await stop();
        process.stderr.write('stopped.\n');
      });

      info.write(
        [
          `Stack up in ${(stack.timings.totalMs / 1000).toFixed(1)} s`,
          `  Temporal Web UI   ${stack.urls.ui ?? '(headless)'}`,
          `  Ingest API        ${stack.urls.api}`,
          `  Ledger            ${stack.ledger.description}`,
          `Sending ${opts.leads} leads over ${opts.minutes} min (seed ${opts.seed}); SLA clocks and contracts run in seconds. Ctrl-C stops everything.`,
          '',
        ].join('\n'),
      );
      const result = await m
        .runDemo({
          api: stack.urls.api,
          secret: m.ingestAuth(loaded.config).secret,
          ledger: stack.ledger,
          config: loaded.config,
          leads: opts.leads,
          windowMs: opts.minutes * 60_000,
          seed: opts.seed,
          signal: abort.signal,
          progressOut: info,
        })
        .then(
          (run) => ({ run }),
          (error: unknown) => ({ error }),
        );
      if (abort.signal.aborted) {
        await signalled;
        process.exitCode = 130;
        return;
      }
      if ('error' in result) {
        await stop();
        throw result.error;
      }

      const ctx = {
        run: result.run,
        seed: opts.seed,
        leads: opts.leads,
        minutes: opts.minutes,
        config: loaded.config,
        configFile: displayPath(loaded.file),
        stack,
        timings: { stackMs: stack.timings.totalMs, totalMs: performance.now() - t0 },
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(m.reportJson(ctx))}\n`);
      else process.stdout.write(m.reportLines(ctx, { keepsRunning: !opts.exit }).join('\n'));
      const missing = m.missingOutcomes(result.run);

      if (opts.exit) {
        await stop();
        if (missing.length > 0) throw new CliError(`the demo did not show everything it should: ${missing.join('; ')}`, 1);
        return;
      }
      if (missing.length > 0) process.stderr.write(`warning: ${missing.join('; ')}\n`);
      info.write('The stack keeps running for the Temporal Web UI. Press Ctrl-C to stop.\n');
      await signalled;
    });
}
