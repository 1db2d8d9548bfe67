import { runCli } from '../../support/cli.ts';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../../src/ledger/open.ts';
import { SHIPPED, SHIPPED_FILES, event, ledgerDir, pgliteTemplate, removeTempRoots, tempRoot } from './helpers/fixtures.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const T = 120_000;

/** The real executable, so a command that leaves a handle open (and never exits) fails here. */
function flywheel(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { DATABASE_URL: '', FLYWHEEL_CONFIG: path.join(root, 'config', 'flywheel.yaml'), ...env }, undefined, root);
}

async function project(opts: { ledger: boolean }): Promise<string> {
  const root = await tempRoot(opts);
  mkdirSync(path.join(root, 'config'));
  copyFileSync(path.join(repo, 'config', 'flywheel.yaml'), path.join(root, 'config', 'flywheel.yaml'));
  return root;
}

beforeAll(() => pgliteTemplate(), T);
afterAll(removeTempRoots);

describe('flywheel ledger', () => {
  it(
    'reports a ledger that does not exist yet without creating it, then migrates it',
    async () => {
      const root = await project({ ledger: false });
      const status = await flywheel(root, ['ledger', 'status']);
      expect(status).toEqual({ code: 0, stdout: 'no embedded ledger at .flywheel/ledger yet (`flywheel dev` or `flywheel ledger migrate` creates it)\n', stderr: '' });
      expect(existsSync(ledgerDir(root))).toBe(false);

      // An initialised, unmigrated directory (what PGlite's own first open produces) spares this test the initdb.
      cpSync(await pgliteTemplate(), ledgerDir(root), { recursive: true });
      const migrate = await flywheel(root, ['ledger', 'migrate', '--json']);
      expect(migrate.stderr).toBe('');
      expect(JSON.parse(migrate.stdout)).toMatchObject({ mode: 'embedded', applied: SHIPPED_FILES, current: SHIPPED_FILES.length, pending: [] });
      const again = await flywheel(root, ['ledger', 'migrate']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^Ledger {6}embedded PGlite at \\.flywheel/ledger.*\\nUp to date  ${SHIPPED_FILES.length} migrations? applied\\n$`));
    },
    T,
  );

  it(
    'reads through the socket while another process owns the ledger',
    async () => {
      const root = await project({ ledger: true });
      const owner = await openLedger({ root, role: 'owner', databaseUrl: undefined });
      try {
        await owner.record([
          event('a', { occurredAt: '2026-03-01T10:00:00Z', amount: 1200, currency: 'EUR' }),
          event('b', { occurredAt: '2026-03-02T10:00:00Z', data: { why: 'test' } }),
          event('c', { occurredAt: '2026-03-03T10:00:00Z', leadId: 'lead-2' }),
          event('d', { type: 'sla.breached', occurredAt: '2026-03-04T10:00:00Z' }),
        ]);
        const status = await flywheel(root, ['ledger', 'status', '--json']);
        expect(status.stderr).toBe('');
        expect(JSON.parse(status.stdout)).toMatchObject({
          mode: 'embedded-client',
          description: expect.stringContaining(`through process ${process.pid}`),
          migrations: { applied: SHIPPED.map((m) => ({ version: m.version, name: m.name, appliedAt: expect.any(String) })), pending: [], unknown: [] },
          events: { total: 4, byType: { 'sla.breached': 1, 'stage.changed': 3 } },
        });

        const listed = await flywheel(root, ['ledger', 'events', '--type', 'stage.changed', '--lead', 'lead-1', '--json']);
        expect(JSON.parse(listed.stdout)).toEqual([
          {
            id: 2,
            key: 'b',
            type: 'stage.changed',
            occurredAt: '2026-03-02T10:00:00.000Z',
            recordedAt: expect.any(String),
            leadId: 'lead-1',
            owner: 'jonas-becker',
            stage: 'sql',
            data: { why: 'test' },
          },
          {
            id: 1,
            key: 'a',
            type: 'stage.changed',
            occurredAt: '2026-03-01T10:00:00.000Z',
            recordedAt: expect.any(String),
            leadId: 'lead-1',
            owner: 'jonas-becker',
            stage: 'sql',
            amount: 1200,
            currency: 'EUR',
          },
        ]);
        const text = await flywheel(root, ['ledger', 'events', '--limit', '1']);
        expect(text.stdout).toBe('2026-03-04T10:00:00.000Z  sla.breached        lead=lead-1  owner=jonas-becker  stage=sql  key=d\n');
      } finally {
        await owner.close();
      }
    },
    T,
  );

  it(
    'refuses bad options with exit code 2',
    async () => {
      const root = await project({ ledger: false });
      const type = await flywheel(root, ['ledger', 'events', '--type', 'stage.chnged']);
      expect(type.code).toBe(2);
      expect(type.stderr).toMatch(/^flywheel: unknown event type "stage.chnged"; known types: stage.changed, /);
      const limit = await flywheel(root, ['ledger', 'events', '--limit', 'many']);
      expect(limit).toMatchObject({ code: 2, stderr: 'flywheel: --limit must be a whole number from 1 to 10000, got "many"\n' });
    },
    T,
  );

  it(
    'names an unreachable PostgreSQL without its password or a stack trace',
    async () => {
      const root = await project({ ledger: false });
      const r = await flywheel(root, ['ledger', 'status'], { DATABASE_URL: 'postgres://fly:hunter2@127.0.0.1:1/flywheel' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^flywheel: could not connect to PostgreSQL postgres:\/\/fly:\*\*\*@127\.0\.0\.1:1\/flywheel: .*ECONNREFUSED.*\n$/);
      expect(r.stderr).not.toContain('hunter2');
    },
    T,
  );
});
