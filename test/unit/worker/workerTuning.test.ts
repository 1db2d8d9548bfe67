import { describe, expect, it } from 'vitest';
import { definedOnly, workerTuning } from '../../../src/worker/createWorker.ts';

describe('worker tuning', () => {
  it("caps the sticky cache and leaves the concurrency limits to the SDK's defaults", () => {
    expect(definedOnly(workerTuning({}))).toEqual({ maxCachedWorkflows: 250 });
  });

  it('takes each value from the environment', () => {
    const env = { FLYWHEEL_WORKER_MAX_CACHED_WORKFLOWS: '1000', FLYWHEEL_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20', FLYWHEEL_WORKER_MAX_CONCURRENT_ACTIVITIES: ' 50 ' };
    expect(workerTuning(env)).toEqual({ maxCachedWorkflows: 1000, maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentActivityTaskExecutions: 50 });
    // 0 turns the cache off (the SDK's meaning); blank means unset.
    expect(workerTuning({ FLYWHEEL_WORKER_MAX_CACHED_WORKFLOWS: '0', FLYWHEEL_WORKER_MAX_CONCURRENT_ACTIVITIES: '' })).toMatchObject({
      maxCachedWorkflows: 0,
      maxConcurrentActivityTaskExecutions: undefined,
    });
  });

  it('refuses a value that is not a whole number', () => {
    expect(() => workerTuning({ FLYWHEEL_WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/FLYWHEEL_WORKER_MAX_CACHED_WORKFLOWS must be a whole number, got "lots"/);
    expect(() => workerTuning({ FLYWHEEL_WORKER_MAX_CONCURRENT_ACTIVITIES: '-1' })).toThrow(/FLYWHEEL_WORKER_MAX_CONCURRENT_ACTIVITIES/);
  });
});
