/**
 * Regenerates docs/images/temporal-ui-decoded.png and temporal-ui-encrypted.png: a `flywheel dev` stack with payload
 * encryption on (a throwaway project on free ports, a fresh key), one lead from the CRM, and the Temporal Web UI's
 * history of that lead in headless Chromium, first through the dev codec endpoint, then with no codec at all.
 *
 *   npx tsx scripts/uiScreenshots.ts            (needs Chromium at /usr/bin/chromium, or CHROMIUM=<path>)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { chromium, type Page } from 'playwright-core';
import { leadWorkflowId } from '../workflows/definitions.ts';
import { startCli } from '../test/support/cli.ts';
import { eventually } from '../test/support/eventually.ts';
import { scratchProject } from '../test/support/scratchProject.ts';

const OUT = new URL('../docs/images/', import.meta.url);
const LEAD = { id: '00Q5e00000JwEbR', email: 'jana.weber@shopco.example' };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Ready {
  temporal: string;
  ui: string;
  api: string;
  codec?: string;
}

async function withDevStack<T>(env: NodeJS.ProcessEnv, body: (ready: Ready) => Promise<T>): Promise<T> {
  const run = startCli(['dev', '--json'], env);
  try {
    return await body((await run.firstJsonLine) as unknown as Ready);
  } finally {
    run.child.kill('SIGINT');
    await run.exited;
  }
}

/** The lead's Event History with its CRM event (the signal) opened, once `expected` shows in its input. */
async function shoot(ui: string, expected: string, file: string): Promise<void> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'flywheel-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1720, height: 1250 },
  });
  try {
    const page: Page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(leadWorkflowId(LEAD.id))}`);
    // The UI redirects to the run's timeline; its Event History is the sibling page.
    await page.waitForURL(/\/timeline$/);
    await page.goto(page.url().replace(/\/timeline$/, '/history'));
    // Oldest first: the CRM event (the signal) sits right below the workflow's header.
    await page.getByRole('button', { name: 'Descending' }).click();
    await page.getByText('Workflow Execution Signaled').first().click();
    const shown = page.getByText(expected).first();
    await shown.waitFor({ timeout: 30_000 });
    await shown.scrollIntoViewIfNeeded();
    await page.screenshot({ path: file });
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** The lead's CRM event as Temporal stores it: the signal payload's data, base64. */
async function storedSignalData(address: string): Promise<string> {
  const connection = await Connection.connect({ address });
  try {
    const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: leadWorkflowId(LEAD.id) } });
    const signal = history?.events?.find((e) => e.workflowExecutionSignaledEventAttributes)?.workflowExecutionSignaledEventAttributes;
    const payload = signal?.input?.payloads?.[0];
    if (Buffer.from(payload?.metadata?.encoding ?? []).toString() !== 'binary/encrypted') throw new Error('the stored CRM event is not encrypted');
    return Buffer.from(payload!.data!).toString('base64');
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const project = await scratchProject('ui-screenshots');
  // The stand-in CRM is the scratch stack's own dev sink, so the lead's CRM notification succeeds as it would locally.
  writeFileSync(project.configFile, readFileSync(project.configFile, 'utf8').replaceAll('127.0.0.1:8787', `127.0.0.1:${project.port}`));
  const keys = { FLYWHEEL_PAYLOAD_KEYS: `docs-1:${randomBytes(32).toString('base64')}`, FLYWHEEL_CODEC_TOKEN: '', FLYWHEEL_CODEC_ORIGINS: '' };
  try {
    await withDevStack({ FLYWHEEL_CONFIG: project.configFile, ...keys }, async ({ ui, api, codec }) => {
      if (!codec) throw new Error('the dev stack did not start its codec endpoint');
      const data = {
        email: LEAD.email,
        firstName: 'Jana',
        lastName: 'Weber',
        title: 'Head of Analytics',
        company: 'ShopCo GmbH',
        domain: 'shopco.example',
        country: 'DE',
        employees: 450,
        industry: 'ecommerce',
        source: 'demo-request',
      };
      const event = { specversion: '1.0', id: randomUUID(), source: '/crm/salesforce', type: 'lead.created', subject: LEAD.id, time: new Date().toISOString(), data };
      const posted = await fetch(`${api}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
      if (posted.status !== 202) throw new Error(`POST /v1/events answered ${posted.status}: ${await posted.text()}`);
      await eventually(
        async () => ((await fetch(`${api}/v1/leads/${LEAD.id}`)).ok ? ((await (await fetch(`${api}/v1/leads/${LEAD.id}`)).json()) as { owner?: string }) : undefined),
        (s) => Boolean(s.owner),
        'the lead assigned',
        30_000,
      );
      await shoot(ui, LEAD.email, new URL('temporal-ui-decoded.png', OUT).pathname);
    });
    // The same history with no codec: without the keys the dev UI gets no codec endpoint and shows what Temporal
    // stores, the signal's ciphertext in base64.
    await withDevStack({ FLYWHEEL_CONFIG: project.configFile, ...keys, FLYWHEEL_PAYLOAD_KEYS: '' }, async ({ ui, temporal }) => {
      const stored = await storedSignalData(temporal);
      await shoot(ui, stored.slice(0, 24), new URL('temporal-ui-encrypted.png', OUT).pathname);
    });
  } finally {
    rmSync(project.root, { recursive: true, force: true });
  }
}

await main();
