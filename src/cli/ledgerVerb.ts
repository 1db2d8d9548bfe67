/**
 * How CLI verbs reach the ledger: `withLedger` opens the configured one (through `flywheel dev`'s socket when it
 * runs). The verbs that answer about one record (`lead why`, `account why`, `ledger forget`) share exit codes: 0
 * done, 1 the record is not in the ledger, 2 bad usage or a ledger that is missing or does not answer, so a script
 * can tell "not there" from "could not look".
 */
import { CommanderError, type Command } from 'commander';
import type { OpenedLedger } from '../ledger/types.ts';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import { CliError } from './errors.ts';

// PGlite and pg load inside the actions, so `flywheel --help` and light commands stay fast.
const ledgerModules = async () => ({ ...(await import('../ledger/open.ts')), ...(await import('../ledger/errors.ts')) });

type Opened<T> = { opened: true; value: T } | { opened: false; message: string };

/**
 * Opens the configured ledger as `auto` (through the socket when `flywheel dev` runs), runs fn, closes it.
 * With create false, a missing embedded ledger is reported instead of being created just to be looked at.
 */
export async function withLedger<T>(opts: { create: boolean }, fn: (l: OpenedLedger) => Promise<T>): Promise<Opened<T>> {
  const loaded = loadConfig();
  const { openLedger, ledgerTarget, displayPath, LedgerError } = await ledgerModules();
  const where = { root: loaded.root, embeddedDir: loaded.config.ledger?.embeddedDir };
  const target = ledgerTarget(where);
  if (!opts.create && target.kind === 'embedded' && !existsSync(target.dataDir) && !existsSync(target.lockFile)) {
    return { opened: false, message: `no embedded ledger at ${displayPath(target.dataDir)} yet (\`flywheel dev\` or \`flywheel ledger migrate\` creates it)` };
  }
  const asCliError = (e: unknown) => (e instanceof LedgerError ? new CliError(e.message, 1) : e);
  const ledger = await openLedger({ ...where, role: 'auto' }).catch((e: unknown) => {
    throw asCliError(e);
  });
  try {
    return { opened: true, value: await fn(ledger) };
  } catch (e) {
    throw asCliError(e);
  } finally {
    await ledger.close();
  }
}

/** Commander's own usage errors would exit 1; these verbs keep 1 for "not found". --help still exits 0. */
export function usageExitsTwo(cmd: Command): Command {
  return cmd.exitOverride((err) => {
    throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
  });
}

/** Runs fn on the configured ledger (through `flywheel dev`'s socket when it runs); unreachable is exit 2. */
export async function onLedger<T>(fn: (l: OpenedLedger) => Promise<T>): Promise<T> {
  const opened = await withLedger({ create: false }, fn).catch((e: unknown) => {
    throw e instanceof CliError && e.exitCode === 1 ? new CliError(`the ledger did not answer: ${e.message}`, 2) : e;
  });
  if (!opened.opened) throw new CliError(opened.message, 2);
  return opened.value;
}
