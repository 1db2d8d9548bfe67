import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { addSearchAttributesRequest } from '../../src/temporal/searchAttributes.ts';

/**
 * A time-skipping test server of this test file's own, shared by the file's harnesses and stopped when the last of
 * them closes. Its clock is global to the server, and a lock left behind by one file (a workflow task scheduled on
 * a queue whose worker has just shut down) would otherwise stall every `advance` of the next file for a minute; a
 * server per file keeps each file's clock its own, so the files can also run side by side. Starting one takes
 * about 0.1 s.
 */
let current: { env: Promise<TestWorkflowEnvironment>; users: number } | undefined;

async function start(): Promise<TestWorkflowEnvironment> {
  const binary = inject('temporal').timeSkippingBinary;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: binary ? { type: 'existing-path', path: binary } : { type: 'cached-download' } },
  });
  // The test server takes no --search-attribute flags: register Flywheel's through the operator API.
  await env.connection.operatorService.addSearchAttributes(addSearchAttributesRequest('default'));
  return env;
}

/** The address of this file's server, started on first use; pair every call with releaseTimeSkippingServer(). */
export async function acquireTimeSkippingServer(): Promise<string> {
  if (!current) current = { env: start(), users: 0 };
  current.users++;
  return (await current.env).address;
}

export async function releaseTimeSkippingServer(): Promise<void> {
  if (!current || --current.users > 0) return;
  const { env } = current;
  current = undefined;
  await (await env).teardown();
}
