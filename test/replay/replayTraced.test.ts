import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Worker } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULE } from '../../src/observability/tracing/temporal.ts';
import { loadWorkflowBundle } from '../../src/worker/bundleCache.ts';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

let codePath: string;
beforeAll(async () => {
  // The bundle a worker runs with tracing on (cached under its own key).
  codePath = (await loadWorkflowBundle({ workflowInterceptorModules: [TRACING_WORKFLOW_MODULE] })).codePath;
});

/**
 * Tracing can be switched on for workers whose workflows started without it: the recorded histories (none made
 * with the interceptors) replay with tracing's workflow interceptors in the bundle.
 */
describe('replay of recorded histories with tracing on', () => {
  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(new InMemorySpanExporter()), Resource.default()) };
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath }, sinks }, history, path.basename(file, '.json'))).resolves.toBeUndefined();
  });
});
