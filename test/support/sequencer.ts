import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Each file's duration in a full run, committed (refreshDurations.ts writes it), for clones without vitest's cache. */
const recorded = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;

/**
 * Longest files first, across both projects: on 2 cores the suite ends when its last long file does, so a long
 * file started late (the 5,000-account import, ~100 s) left the other workers idle at the end, and the time-skipping
 * project only began once every `main` file had (vitest runs projects one after the other by default).
 * A file's last duration is in vitest's cache when there is one; a fresh clone (CI) has none and takes it from
 * durations.json, a full run's figures committed beside this file (a fresh-clone suite ran 612 s with all
 * integration files weighted alike: long unit files such as the ledger's cross-process tests then started last).
 * A file in neither, integration or replay (Temporal workers and processes, 10 s to minutes), goes before a unit
 * file (mostly under a second). Only the order changes: every file still runs in its own fork.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const estimate = (f: TestSpecification): number => {
      const rel = path.relative(this.ctx.config.root, f.moduleId);
      const key = `${f.project.name}:${rel.split(path.sep).join('/')}`;
      const last = cache.getFileTestResults(key);
      if (last && !last.failed) return last.duration;
      // Failed last time: worth knowing early.
      if (last?.failed) return Number.MAX_SAFE_INTEGER;
      if (recorded[key] !== undefined) return recorded[key];
      return /^test[\\/](integration|replay)[\\/]/.test(rel) ? 20_000 : 1_000;
    };
    const weights = new Map(files.map((f) => [f, estimate(f)]));
    return [...files].sort((a, b) => weights.get(b)! - weights.get(a)!);
  }
}
