-- Leads nobody could take yet, in the order they arrived per queue: whoever next places a lead into the queue
-- places these first, under the key their own workflow will ask with (next_key), so they keep their turn however
-- their timers fire. A row leaves when its lead is placed or gone.

CREATE TABLE held_leads (
  lead_id    text PRIMARY KEY,
  queue      text NOT NULL,
  since      timestamptz NOT NULL,
  -- lead_assignments key of the lead's next attempt, `<leadId>:<attempt + 1>`.
  next_key   text NOT NULL,
  -- What placing it needs without the rules: attempt, reason, exclusions, ledger fields (see src/routing/heldLeads.ts).
  request    jsonb NOT NULL,
  candidates jsonb NOT NULL DEFAULT '[]'::jsonb
);

CREATE INDEX held_leads_queue_since ON held_leads (queue, since, lead_id);

-- A held attempt's HoldInfo, so a retried assignLead returns the same hold.
ALTER TABLE lead_assignments ADD COLUMN hold jsonb;
