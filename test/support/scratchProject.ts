import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { freePort } from '../../src/temporal/ports.ts';

export interface ScratchProject {
  root: string;
  configFile: string;
  /** The ingest API's port. */
  port: number;
  taskQueue: string | undefined;
}

/**
 * A throwaway project root with the shipped config on free ports and a copy of the shipped rules (the stack refuses
 * to start without valid rules), so a test never meets a developer's stack or touches the repo's .flywheel/.
 */
export async function scratchProject(prefix: string, opts: { taskQueue?: string; plan?: boolean } = {}): Promise<ScratchProject> {
  const root = mkdtempSync(path.join(os.tmpdir(), `flywheel-${prefix}-`));
  const doc = parseDocument(readFileSync(new URL('../../config/flywheel.yaml', import.meta.url), 'utf8'));
  const port = await freePort();
  doc.setIn(['server', 'port'], port);
  doc.setIn(['temporal', 'devServer', 'port'], await freePort());
  doc.setIn(['temporal', 'devServer', 'uiPort'], await freePort());
  if (opts.taskQueue) doc.setIn(['temporal', 'taskQueue'], opts.taskQueue);
  mkdirSync(path.join(root, 'config'));
  const configFile = path.join(root, 'config', 'flywheel.yaml');
  writeFileSync(configFile, doc.toString());
  if (opts.plan) writeFileSync(path.join(root, 'config', 'plan.yaml'), readFileSync(new URL('../../config/plan.yaml', import.meta.url)));
  cpSync(new URL('../../rules', import.meta.url), path.join(root, 'rules'), { recursive: true });
  return { root, configFile, port, taskQueue: opts.taskQueue };
}
