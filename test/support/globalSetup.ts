import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../src/temporal/devServer.ts';
import { resolveTool } from '../../src/tools/temporalBinaries.ts';
import { loadWorkflowBundle } from '../../src/worker/bundleCache.ts';

export interface TemporalTestServers {
  /** Empty in the time-skipping project, which has no use for the dev server. */
  devAddress: string;
  /** The test server binary; each time-skipping file starts its own (test/support/timeSkippingServer.ts). */
  timeSkippingBinary: string | undefined;
  workflowBundlePath: string;
  devServerStartMs: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTestServers;
  }
}

/**
 * One real Temporal dev server for the whole main project, the time-skipping test server's binary for the
 * time-skipping project's files to start one each (one clock per file), both resolved as `flywheel dev` resolves
 * them, and one workflow bundle per project. Each test file brings its own task queue.
 */
export default async function setup(project: TestProject) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-test-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(tmp, { recursive: true, force: true })];
  const teardown = async () => {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => console.error(`teardown: ${e.message}`));
  };
  try {
    const wantsTimeSkipping = project.name === 'time-skipping';
    let devAddress = '';
    let devServerStartMs = 0;
    if (!wantsTimeSkipping) {
      const dev = await startDevServer({ binary: resolveTool('cli'), port: 0, headless: true, logFile: path.join(tmp, 'temporal.log') });
      cleanups.push(() => dev.stop());
      devAddress = dev.address;
      devServerStartMs = Math.round(dev.startMs);
    }
    const timeSkippingBinary = wantsTimeSkipping ? resolveTool('test-server').path : undefined;

    // The cached bundle (built in a child process when the sources changed), copied: the cache may prune its file
    // while this run still starts workers from it.
    const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
    copyFileSync((await loadWorkflowBundle()).codePath, workflowBundlePath);

    project.provide('temporal', { devAddress, timeSkippingBinary, workflowBundlePath, devServerStartMs });
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
