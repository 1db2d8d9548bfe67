import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

/**
 * Every recorded history must replay against the current workflow code: a change that would break running
 * workflows fails here, and is fixed with `patched()` rather than by re-recording.
 */
describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    const workflowId = path.basename(file, '.json');
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('temporal').workflowBundlePath } }, history, workflowId)).resolves.toBeUndefined();
  });
});
