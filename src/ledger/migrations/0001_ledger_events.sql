-- Flywheel ledger: one row per flywheel event, written once per event_key.
-- Applied migrations are immutable (their checksum is recorded): change the schema in a new file.

CREATE TABLE ledger_events (
  id             bigserial PRIMARY KEY,
  event_key      text NOT NULL UNIQUE,
  type           text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  lead_id        text,
  account_id     text,
  workflow_id    text,
  owner          text,
  team           text,
  stage          text,
  amount         numeric(18, 2),
  arr_delta      numeric(18, 2),
  currency       text,
  rules_revision text,
  data           jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Metrics read by event type over a time window (funnel, SLA attainment, ARR movement).
CREATE INDEX ledger_events_type_time ON ledger_events (type, occurred_at);
-- Per-lead and per-account histories (cycle times, handoffs).
CREATE INDEX ledger_events_lead ON ledger_events (lead_id, occurred_at) WHERE lead_id IS NOT NULL;
CREATE INDEX ledger_events_account ON ledger_events (account_id, occurred_at) WHERE account_id IS NOT NULL;
-- Per-rep views (load, SLA breaches by owner).
CREATE INDEX ledger_events_owner ON ledger_events (owner, occurred_at) WHERE owner IS NOT NULL;
