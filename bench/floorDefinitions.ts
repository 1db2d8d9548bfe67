// Names the floor workflow shares with the bench client. Pure declarations: bundled into workflow code.
import { defineSignal } from '@temporalio/workflow';

export const benchFloorType = 'benchFloor';
export const benchFloorSignal = defineSignal('benchPing');

export interface FloorActivities {
  /** Does nothing but let the bench note when the activity ran. */
  benchPing(workflowId: string): Promise<void>;
}
