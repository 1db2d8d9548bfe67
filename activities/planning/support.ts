import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { DiagnosticsError, formatDiagnostic } from '../../src/diagnostics/diagnostic.ts';
import { loadPlan } from '../../src/plan/load.ts';
import type { LoadedPlan } from '../../src/plan/types.ts';
import { resolveRecipients } from '../../src/routing/recipients.ts';
import type { ActivityDeps } from '../deps.ts';

/** Problems a retry cannot fix fail the activity for good. */
export const bad = (e: unknown, type: string) => ApplicationFailure.nonRetryable((e as Error).message, type);

/** What every planning step needs: the plan (a broken one fails for good, with its located problems) and notices. */
export function planningSupport(deps: ActivityDeps) {
  const { config, webhooks } = deps;
  return {
    planPath: (file?: string) => path.resolve(config.root, file ?? process.env.FLYWHEEL_PLAN ?? 'config/plan.yaml'),
    load(file: string): LoadedPlan {
      try {
        return loadPlan(file, { config: config.config });
      } catch (e) {
        if (e instanceof DiagnosticsError) throw ApplicationFailure.nonRetryable(e.diagnostics.map(formatDiagnostic).join('\n'), 'InvalidPlan');
        throw e;
      }
    },
    async notify(type: string, to: string[], payload: Record<string, unknown>, key: string): Promise<string[]> {
      const recipients = resolveRecipients(config.config, to, null);
      // Ids the org config does not know (e.g. an e-mail alias) are passed on as they are.
      const known = new Set(recipients.map((r) => r.id));
      const all = [...recipients, ...to.filter((id) => !known.has(id) && !config.config.teams.some((t) => t.id === id)).map((id) => ({ id }))];
      await webhooks.send(type, { ...payload, recipients: all }, key);
      return all.map((r) => r.id);
    },
  };
}
