// A separate process holding a ledger, driven over stdin/stdout with one JSON object per line.
// Run as: node --import tsx ledgerProcess.ts <root> <role>
import { createInterface } from 'node:readline';
import { openLedger } from '../../../../src/ledger/open.ts';

const [root, role] = process.argv.slice(2) as [string, 'owner' | 'client' | 'auto'];
const reply = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
const fail = (e: unknown) => ({ error: (e as Error).message, name: (e as Error).name });

let ledger: Awaited<ReturnType<typeof openLedger>>;
try {
  ledger = await openLedger({ root, role, databaseUrl: undefined });
} catch (e) {
  reply(fail(e));
  process.exit(1);
}
reply({ ready: true, pid: process.pid, mode: ledger.mode, description: ledger.description });

type Command = { op: 'record'; events: never[] } | { op: 'query'; sql: string; params?: unknown[] } | { op: 'hang-in-transaction'; events: never[] } | { op: 'close' } | { op: 'exit' };
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as Command;
  try {
    if (cmd.op === 'record') reply(await ledger.record(cmd.events));
    else if (cmd.op === 'query') reply(await ledger.query(cmd.sql, cmd.params));
    else if (cmd.op === 'hang-in-transaction') {
      // Writes, answers, and never commits: the test then kills this process mid-transaction.
      void ledger.transaction(async (tx) => {
        await tx.record(cmd.events);
        reply({ inside: true });
        await new Promise(() => undefined);
      });
    } else if (cmd.op === 'close') {
      await ledger.close();
      reply({ closed: true });
      // Then exit naturally: a handle left open by close() would keep this process alive and fail the test.
      process.stdin.destroy();
      break;
    } else if (cmd.op === 'exit') {
      reply({ exiting: true });
      // Without close(): the lock must still be released by the exit hook.
      process.exit(0);
    }
  } catch (e) {
    reply(fail(e));
  }
}
