import { ApplicationFailure } from '@temporalio/common';
import { call, REJECTED } from './apiErrors.ts';

/** The slice of the SDK's Owners API this needs (client.crm.owners.ownersApi). */
export interface OwnersApi {
  getPage(email?: string, after?: string, limit?: number, archived?: boolean): Promise<{ results: { id: string; email?: string; archived?: boolean }[]; paging?: { next?: { after?: string } } }>;
}

export interface OwnerDirectoryOptions {
  /** connections.hubspot.owners: rep id -> HubSpot owner id (wins over the e-mail lookup). */
  configured: Record<string, string>;
  /** reps[].email by rep id, for reps the configuration does not map. */
  emails: Record<string, string>;
  /** How long a looked-up owner id is trusted (default ten minutes). */
  ttlMs?: number;
  /** How long "no HubSpot owner has this e-mail" is trusted (default one minute: a new HubSpot user shows up soon). */
  missTtlMs?: number;
  now?: () => number;
}

/**
 * Flywheel rep -> HubSpot owner id: the configured mapping, else the owner whose e-mail is the rep's, read through the
 * Owners API (GET /crm/v3/owners?email=) and kept in memory for a while, so a burst of assignments asks HubSpot once.
 * A rep with neither is a configuration error no retry can fix: refused as `CrmRejected`, naming the rep.
 */
export class OwnerDirectory {
  private readonly cache = new Map<string, { ownerId: string | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<string | null>>();
  private readonly ttlMs: number;
  private readonly missTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly api: OwnersApi,
    private readonly opts: OwnerDirectoryOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 600_000;
    this.missTtlMs = opts.missTtlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  async ownerIdOf(rep: string): Promise<string> {
    const configured = this.opts.configured[rep];
    if (configured) return configured;
    const email = this.opts.emails[rep]?.trim().toLowerCase();
    if (!email) throw ApplicationFailure.create({ type: REJECTED, message: `rep "${rep}" has no HubSpot owner: not in connections.hubspot.owners and no e-mail in reps`, nonRetryable: true });
    const found = await this.byEmail(email);
    if (found) return found;
    throw ApplicationFailure.create({
      type: REJECTED,
      message: `rep "${rep}" has no HubSpot owner: not in connections.hubspot.owners, and no active HubSpot owner has the rep's e-mail`,
      nonRetryable: true,
    });
  }

  private async byEmail(email: string): Promise<string | null> {
    const hit = this.cache.get(email);
    if (hit && hit.until > this.now()) return hit.ownerId;
    // Concurrent assignments of the same rep share one lookup.
    let pending = this.inFlight.get(email);
    if (!pending) {
      pending = this.lookup(email).finally(() => this.inFlight.delete(email));
      this.inFlight.set(email, pending);
    }
    return pending;
  }

  private async lookup(email: string): Promise<string | null> {
    let after: string | undefined;
    let ownerId: string | null = null;
    // The e-mail filter answers one page in practice; follow `after` anyway, within reason.
    for (let page = 0; page < 20 && ownerId === null; page++) {
      const res = await call('GET owners by e-mail', () => this.api.getPage(email, after, 100, false));
      ownerId = res.results.find((o) => !o.archived && o.email?.toLowerCase() === email)?.id ?? null;
      after = res.paging?.next?.after;
      if (!after) break;
    }
    this.cache.set(email, { ownerId, until: this.now() + (ownerId ? this.ttlMs : this.missTtlMs) });
    return ownerId;
  }
}
