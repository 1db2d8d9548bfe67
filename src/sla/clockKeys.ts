/**
 * The one builder of a hand-off clock's ledger keys: `<entity>:<id>:sla:<clock>:<event>`, where `<clock>` counts the
 * record's clocks (0 for the hand-off, then one per reassignment). Workflows and activities both write clock rows;
 * they agree on keys because both call this. Pure: bundled into workflow code.
 */
export type ClockEntity = 'lead' | 'account';

export type ClockRowEvent = 'started' | 'warned' | 'met' | 'breached' | 'escalated' | 'cancelled' | `paused:${number}` | `resumed:${number}`;

export function clockKey(entity: ClockEntity, id: string, clock: number, event: ClockRowEvent): string {
  return `${entity}:${id}:sla:${clock}:${event}`;
}
