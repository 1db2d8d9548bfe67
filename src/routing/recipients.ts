import type { FlywheelConfig } from '../config/types.ts';

export interface Recipient {
  id: string;
  email?: string;
}

/**
 * Who a rule's `notify` list means for one record: `owner`, `manager` (the owner's, else the team's), a rep id,
 * or a team id (its manager). Unknown or empty entries drop out; each person appears once.
 */
export function resolveRecipients(cfg: FlywheelConfig, notify: readonly string[], ownerId: string | null, fallbackTeam?: string): Recipient[] {
  const owner = cfg.reps.find((r) => r.id === ownerId);
  const ids = new Set<string>();
  for (const who of notify) {
    if (who === 'owner') {
      if (owner) ids.add(owner.id);
    } else if (who === 'manager') {
      const manager = owner?.manager ?? cfg.teams.find((t) => t.id === (owner?.team ?? fallbackTeam))?.manager;
      if (manager) ids.add(manager);
    } else if (cfg.reps.some((r) => r.id === who)) ids.add(who);
    else {
      const team = cfg.teams.find((t) => t.id === who);
      if (team?.manager) ids.add(team.manager);
    }
  }
  return [...ids].map((id) => ({ id, email: cfg.reps.find((r) => r.id === id)?.email }));
}
