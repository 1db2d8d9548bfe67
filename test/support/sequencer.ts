import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, across both projects: on 2 cores the suite ends when its last long file does, so a long
 * file started late (the 5,000-account import, ~100 s) left the other workers idle at the end, and the time-skipping
 * project only began once every `main` file had (vitest runs projects one after the other by default).
 * A file's last duration is in vitest's cache when there is one; a fresh clone has none, so integration and replay
 * files, which start Temporal workers and processes and take 10 s to minutes, go before unit files (mostly under
 * a second). Only the order changes: every file still runs in its own fork.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const estimate = (f: TestSpecification): number => {
      const rel = path.relative(this.ctx.config.root, f.moduleId);
      const last = cache.getFileTestResults(`${f.project.name}:${rel}`);
      if (last && !last.failed) return last.duration;
      // Unknown or failed last time: a failure is worth knowing early, an integration file is long.
      if (last?.failed) return Number.MAX_SAFE_INTEGER;
      return /^test[\\/](integration|replay)[\\/]/.test(rel) ? 20_000 : 1_000;
    };
    const weights = new Map(files.map((f) => [f, estimate(f)]));
    return [...files].sort((a, b) => weights.get(b)! - weights.get(a)!);
  }
}
