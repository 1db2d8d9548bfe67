import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/**
 * Bundles the workflow code once. The bundler's own determinism checks run here, so a workflow that imports
 * a Node module fails at start, not in production on first replay.
 */
export function bundleWorkflows(path = workflowsPath): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path, logger: quietBundlerLogger });
}

const noop = () => undefined;
const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: (msg: string) => process.stderr.write(`workflow bundler: ${msg}\n`),
  error: (msg: string) => process.stderr.write(`workflow bundler: ${msg}\n`),
};
