import { statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/diagnostic.ts';
import type { LocatedYaml } from '../yaml/located.ts';
import { cronProblem } from '../plan/check.ts';
import { isValidTimeZone, suggestTimeZone } from './timezones.ts';
import type { FlywheelConfig } from './types.ts';

type Path = (string | number)[];

/**
 * Checks the schema cannot express: references between sections, time zones, ranges, uniqueness; with the project
 * `root`, that the folders the config names exist.
 */
export function checkConfigSemantics(cfg: FlywheelConfig, doc: LocatedYaml, root?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: Path, code: string, message: string) => {
    const pos = doc.positionOf(path);
    out.push({ severity: 'error', file: doc.file, line: pos.line, column: pos.column, path: formatPath(path), code, message });
  };

  const ids = (section: 'calendars' | 'teams' | 'reps' | 'queues') => {
    const seen = new Map<string, number>();
    (cfg[section] ?? []).forEach((item, i) => {
      const first = seen.get(item.id);
      if (first !== undefined) report([section, i, 'id'], 'duplicate-id', `duplicate id "${item.id}" (first at ${section}[${first}])`);
      else seen.set(item.id, i);
    });
    return new Set(seen.keys());
  };
  const calendars = ids('calendars');
  const teams = ids('teams');
  const reps = ids('reps');
  const queues = ids('queues');

  const ref = (set: Set<string>, kind: string, value: string | undefined, path: Path) => {
    if (value !== undefined && !set.has(value)) report(path, `unknown-${kind}`, `unknown ${kind} "${value}"`);
  };
  const zone = (tz: string, path: Path) => {
    if (isValidTimeZone(tz)) return;
    const hint = suggestTimeZone(tz);
    report(path, 'unknown-timezone', `unknown time zone "${tz}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
  };

  zone(cfg.organisation.timezone, ['organisation', 'timezone']);

  cfg.calendars.forEach((c, i) => {
    zone(c.timezone, ['calendars', i, 'timezone']);
    for (const [day, ranges] of Object.entries(c.hours)) {
      const parsed = (ranges ?? []).map((r) => r.split('-').map(toMinutes) as [number, number]);
      parsed.forEach(([start, end], j) => {
        if (end <= start) report(['calendars', i, 'hours', day, j], 'bad-hours', `range ends before it starts`);
      });
      const sorted = [...parsed].sort((a, b) => a[0] - b[0]);
      for (let j = 1; j < sorted.length; j++) {
        if (sorted[j]![0] < sorted[j - 1]![1]) report(['calendars', i, 'hours', day], 'bad-hours', `ranges overlap`);
      }
    }
    if (!Object.values(c.hours).some((r) => (r ?? []).length > 0)) {
      report(['calendars', i, 'hours'], 'bad-hours', 'a calendar needs working hours on at least one day');
    }
  });

  cfg.teams.forEach((t, i) => {
    ref(calendars, 'calendar', t.calendar, ['teams', i, 'calendar']);
    ref(reps, 'rep', t.manager, ['teams', i, 'manager']);
  });

  cfg.reps.forEach((r, i) => {
    ref(teams, 'team', r.team, ['reps', i, 'team']);
    ref(reps, 'rep', r.manager, ['reps', i, 'manager']);
    if (r.manager === r.id) report(['reps', i, 'manager'], 'self-manager', 'a rep cannot be their own manager');
    ref(calendars, 'calendar', r.calendar, ['reps', i, 'calendar']);
    zone(r.timezone, ['reps', i, 'timezone']);
    (r.outOfOffice ?? []).forEach((o, j) => {
      if (Date.parse(o.to) < Date.parse(o.from)) report(['reps', i, 'outOfOffice', j, 'to'], 'bad-range', `"to" is before "from"`);
    });
  });

  const queueById = new Map((cfg.queues ?? []).map((q) => [q.id, q]));
  (cfg.queues ?? []).forEach((q, i) => {
    ref(teams, 'team', q.team, ['queues', i, 'team']);
    ref(queues, 'queue', q.overflow, ['queues', i, 'overflow']);
    (q.members ?? []).forEach((m, j) => ref(reps, 'rep', m, ['queues', i, 'members', j]));
    // An overflow chain that loops would bounce a lead between queues forever.
    const seen = new Set([q.id]);
    for (let next = q.overflow; next !== undefined; next = queueById.get(next)?.overflow) {
      if (seen.has(next)) {
        report(['queues', i, 'overflow'], 'overflow-cycle', `overflow chain loops back to "${next}"`);
        break;
      }
      seen.add(next);
    }
  });

  // The weekly SLA report's Schedule (docs/sla-report.md): a cron Temporal accepts, a real zone, known recipients.
  const slaWeekly = cfg.reports?.slaWeekly;
  const cron = slaWeekly?.schedule === undefined ? null : cronProblem(slaWeekly.schedule);
  if (cron) report(['reports', 'slaWeekly', 'schedule'], 'bad-cron', cron);
  if (slaWeekly?.timezone !== undefined) zone(slaWeekly.timezone, ['reports', 'slaWeekly', 'timezone']);
  (slaWeekly?.notify ?? []).forEach((who, i) => {
    if (!teams.has(who) && !reps.has(who)) report(['reports', 'slaWeekly', 'notify', i], 'unknown-recipient', `"${who}" is neither a team nor a rep`);
  });

  // CRM connectors: owners map Flywheel reps; the properties the HubSpot write-back sets must be named.
  for (const crm of ['hubspot', 'salesforce'] as const) {
    for (const rep of Object.keys(cfg.connections?.[crm]?.owners ?? {})) ref(reps, 'rep', rep, ['connections', crm, 'owners', rep]);
  }
  const hsWrite = cfg.connections?.hubspot?.writeBack;
  for (const key of ['slaStatusProperty', 'slaDeadlineProperty'] as const) {
    const v = hsWrite?.[key];
    if (v !== undefined && !/^[A-Za-z][A-Za-z0-9_]*$/.test(v))
      report(['connections', 'hubspot', 'writeBack', key], 'bad-property', `${JSON.stringify(v)} is not a HubSpot property's internal name (a letter, then letters, digits or "_")`);
  }
  for (const key of ['lifecycleStage', 'leadStatus'] as const) {
    const v = hsWrite?.[key];
    if (v !== undefined && v.trim() === '') report(['connections', 'hubspot', 'writeBack', key], 'bad-property', `${key} is empty: leave it out to keep HubSpot's value`);
  }
  // Change Data Capture: plain-text gRPC only to this machine (a contract server); the access token travels in it.
  const cdc = cfg.connections?.salesforce?.changeDataCapture;
  if (cdc?.insecure && !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(cdc.pubSubEndpoint ?? '')) {
    report(
      ['connections', 'salesforce', 'changeDataCapture', 'insecure'],
      'insecure-endpoint',
      `insecure (plain-text) gRPC is only for a local server (127.0.0.1:<port>); ${cdc.pubSubEndpoint ?? 'the Pub/Sub API'} would receive the access token unencrypted`,
    );
  }

  // Only that the shadow folder is there: rules that do not load are a warning at worker start, never a refusal,
  // since live decisions must not depend on the shadow. A ref that starts with "-" is refused by the schema.
  const shadowDir = cfg.rules?.shadow?.dir;
  if (shadowDir !== undefined && root !== undefined && !isDirectory(path.resolve(root, shadowDir))) {
    // A warning, not an error: a worker must start (and decide live) even where the candidate folder is not deployed.
    const pos = doc.positionOf(['rules', 'shadow', 'dir']);
    out.push({
      severity: 'warning',
      file: doc.file,
      line: pos.line,
      column: pos.column,
      path: 'rules.shadow.dir',
      code: 'missing-folder',
      message: `no folder ${JSON.stringify(shadowDir)} (looked for ${path.resolve(root, shadowDir)}): nothing will shadow the live rules`,
    });
  }

  return out;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}
