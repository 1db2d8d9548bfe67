import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/**
 * Bundles the workflow code. The bundler's own determinism checks run here, so a workflow that imports a Node module
 * fails at start, not in production on first replay. Workers load the cached bundle instead (bundleCache.ts), which
 * runs this in a child process. The bundler's warnings and errors go to `report` (default: stderr).
 */
export function bundleWorkflows(
  path = workflowsPath,
  report = (msg: string) => void process.stderr.write(`workflow bundler: ${msg}\n`),
  workflowInterceptorModules: string[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path, workflowInterceptorModules, logger: { log: noop, trace: noop, debug: noop, info: noop, warn: report, error: report } });
}

const noop = () => undefined;
