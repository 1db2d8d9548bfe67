import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../src/temporal/devServer.ts';
import { addSearchAttributesRequest } from '../../src/temporal/searchAttributes.ts';
import { resolveTool } from '../../src/tools/temporalBinaries.ts';
import { loadWorkflowBundle } from '../../src/worker/bundleCache.ts';
import { installQuietRuntime } from '../../src/runtime/devStack.ts';

export interface TemporalTestServers {
  /** Empty in the project that has no use for that server. */
  devAddress: string;
  timeSkippingAddress: string;
  workflowBundlePath: string;
  devServerStartMs: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTestServers;
  }
}

/**
 * One real Temporal dev server (main project) and one time-skipping test server (time-skipping project) for the
 * whole run, from the same resolved binaries `flywheel dev` uses, and one workflow bundle per project. Each test
 * file brings its own task queue.
 */
export default async function setup(project: TestProject) {
  installQuietRuntime();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-test-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(tmp, { recursive: true, force: true })];
  const teardown = async () => {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => console.error(`teardown: ${e.message}`));
  };
  try {
    // Each vitest project gets the server its files use: the time-skipping project its own clock, the rest a dev server.
    const wantsTimeSkipping = project.name === 'time-skipping';
    let devAddress = '';
    let devServerStartMs = 0;
    let timeSkippingAddress = '';
    if (!wantsTimeSkipping) {
      const dev = await startDevServer({ binary: resolveTool('cli'), port: 0, headless: true, logFile: path.join(tmp, 'temporal.log') });
      cleanups.push(() => dev.stop());
      devAddress = dev.address;
      devServerStartMs = Math.round(dev.startMs);
    } else {
      const ts = resolveTool('test-server');
      const timeSkipping = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: ts.path ? { type: 'existing-path', path: ts.path } : { type: 'cached-download' } },
      });
      cleanups.push(() => timeSkipping.teardown());
      timeSkippingAddress = timeSkipping.address;
      // The test server takes no --search-attribute flags: register Flywheel's through the operator API.
      await timeSkipping.connection.operatorService.addSearchAttributes(addSearchAttributesRequest('default'));
    }

    // The cached bundle (built in a child process when the sources changed), copied: the cache may prune its file
    // while this run still starts workers from it.
    const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
    copyFileSync((await loadWorkflowBundle()).codePath, workflowBundlePath);

    project.provide('temporal', { devAddress, timeSkippingAddress, workflowBundlePath, devServerStartMs });
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
