// Bench-only workflow module: everything the worker normally runs, plus the bare-Temporal floor. The bench bundles
// this file instead of workflows/index.ts so one worker serves both, and the floor pays the same worker costs.
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { benchFloorSignal, type FloorActivities } from './floorDefinitions.ts';

export * from '../workflows/index.ts';

// Same activity options as the lead lifecycle, so the floor's activity dispatch is configured like Flywheel's.
const { benchPing } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The least a signal-driven workflow can do: started by signal-with-start, the signal wakes the main loop (as CRM
 * events wake the lead lifecycle), one trivial activity runs, and the workflow completes.
 */
export async function benchFloor(): Promise<void> {
  let signalled = false;
  setHandler(benchFloorSignal, () => void (signalled = true));
  await condition(() => signalled);
  await benchPing(workflowInfo().workflowId);
}
