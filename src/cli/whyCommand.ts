import type { Command } from 'commander';
import type { DecisionEntity } from '../decisions/types.ts';
import { printJson, printLines } from './output.ts';
import { CliError } from './errors.ts';
import { onLedger, usageExitsTwo } from './ledgerVerb.ts';

/** `flywheel lead why` / `flywheel account why`: the same verb for both records (src/cli/commands/<group>/why.ts). */
export function registerWhy(group: Command, entity: DecisionEntity): void {
  const noun = entity === 'lead' ? 'lead' : 'account';
  usageExitsTwo(
    group
      .command('why')
      .description(
        `Why this ${noun} has its owner and deadline, from the ledger (works after its workflow closed): every decision in time order ` +
          'with the rules that matched, the rules revision, the inputs read (personal values masked) and each routing candidate. ' +
          `Exit 0 found, 1 no decisions for that ${noun}, 2 bad usage or the ledger unreachable`,
      )
      .argument('<id>', `the ${noun}'s CRM id`)
      .option('--json', 'print the structured answer (the same as GET /v1/' + (entity === 'lead' ? 'leads' : 'accounts') + '/{id}/decisions)'),
  ).action(async (id: string, opts: { json?: boolean }) => {
    const { loadConfig } = await import('../config/load.ts');
    const { loadRules } = await import('../rules/load.ts');
    const { rulesDirOf } = await import('../worker/activityDeps.ts');
    const { currentRules, whyRecord } = await import('../decisions/why.ts');
    const loaded = loadConfig();
    const rules = currentRules(() => loadRules(rulesDirOf(loaded), { config: loaded.config }));
    const answer = await onLedger((l) => whyRecord(l, entity, id, rules));
    if (!answer) throw new CliError(`no decisions recorded for ${noun} ${id} in the ledger`, 1);
    if (opts.json) return printJson(answer);
    const { renderWhy } = await import('./whyText.ts');
    printLines(renderWhy(answer));
  });
}
