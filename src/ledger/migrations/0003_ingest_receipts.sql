-- Receipts of CRM events the ingest API handed to Temporal, so it can tell a CRM retry from a first delivery.
-- Written only after Temporal accepted the event; the lead workflow dedups by the same key on its own.
-- (0002 is taken by the assignment tables.)

CREATE TABLE ingest_receipts (
  event_key   text PRIMARY KEY,
  workflow_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
