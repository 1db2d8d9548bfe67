import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli.ts';
import { tempRoot } from '../unit/ledger/helpers/fixtures.ts';

const shippedConfig = new URL('../../config/flywheel.yaml', import.meta.url).pathname;

/** A project root with the shipped config and, with `ledger`, an embedded ledger (from the PGlite template). */
export async function ledgerProject(opts: { ledger: boolean }): Promise<string> {
  const root = await tempRoot(opts);
  mkdirSync(path.join(root, 'config'));
  copyFileSync(shippedConfig, path.join(root, 'config', 'flywheel.yaml'));
  return root;
}

/** The real executable in its own process, in `root`: it reads the ledger through the socket of its owner. */
export const flywheelIn = (root: string, args: string[]) => runCli(args, { DATABASE_URL: '', FLYWHEEL_CONFIG: path.join(root, 'config', 'flywheel.yaml') }, undefined, root);
