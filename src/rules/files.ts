import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RuleFiles {
  /** Rule-set files: `*.yaml` / `*.yml` directly in the folder, except `*.test.yaml`. */
  sets: string[];
  /** Test files: anything under `tests/`, and `*.test.yaml` anywhere below the folder. */
  tests: string[];
}

const YAML = /\.ya?ml$/i;
const TEST = /\.test\.ya?ml$/i;

/** Absolute paths, sorted, so revision hashes and output order never depend on the file system. */
export function findRuleFiles(dir: string): RuleFiles {
  const root = path.resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`rules folder not found: ${dir}`);
  const sets: string[] = [];
  const tests: string[] = [];
  const walk = (d: string, depth: number, underTests: boolean) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && depth < 8) walk(abs, depth + 1, underTests || (depth === 0 && e.name === 'tests'));
      else if (e.isFile() && YAML.test(e.name)) {
        if (underTests || TEST.test(e.name)) tests.push(abs);
        else if (depth === 0) sets.push(abs);
      }
    }
  };
  walk(root, 0, false);
  return { sets: sets.sort(), tests: tests.sort() };
}
