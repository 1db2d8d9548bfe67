-- Lead ownership for routing: who holds which lead (capacity caps count the open rows) and where each queue's
-- weighted round robin stands, so the split stays fair across workers and restarts.

CREATE TABLE lead_assignments (
  assignment_key text PRIMARY KEY,
  lead_id        text NOT NULL,
  rep            text,
  pool           text,
  queue          text NOT NULL,
  strategy       text NOT NULL,
  assigned_at    timestamptz NOT NULL,
  released_at    timestamptz,
  release_reason text,
  skipped        jsonb NOT NULL DEFAULT '[]'::jsonb
);

-- One open assignment per lead: a reassignment releases the previous one in the same transaction.
CREATE UNIQUE INDEX lead_assignments_open_lead ON lead_assignments (lead_id) WHERE released_at IS NULL;
CREATE INDEX lead_assignments_open_rep ON lead_assignments (rep) WHERE released_at IS NULL;

CREATE TABLE queue_rotation (
  queue_id       text NOT NULL,
  rep            text NOT NULL,
  current_weight double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (queue_id, rep)
);

-- One row per queue, locked FOR UPDATE while a lead is placed, so concurrent placements take turns.
CREATE TABLE queue_locks (
  queue_id text PRIMARY KEY
);
