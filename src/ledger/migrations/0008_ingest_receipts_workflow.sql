-- Speed-to-lead (src/observability/metrics/observeLedger.ts) asks, at every lead's first assignment, when the ingest
-- API first received an event for its workflow. Without this index that lookup reads every receipt ever kept, a
-- cost that grows with the ledger and is paid per lead.
CREATE INDEX ingest_receipts_workflow ON ingest_receipts (workflow_id, received_at);
