// Child process of EmbeddedLedger.open: `node --import tsx initdb.ts <dataDir>` creates a new PGlite directory and
// exits, so initdb's second Postgres and its native garbage never live in the long-running process. The owner holds
// the directory's lock meanwhile; migrations run in the owner.
import { PGlite } from './pgliteModule.ts';
import { pgliteStartParams } from './pglite.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: initdb.ts <dataDir>\n');
  process.exit(2);
}
try {
  const db = await PGlite.create({ dataDir, startParams: pgliteStartParams() });
  await db.close();
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
}
