-- Every new lead's (and account's) first event asks whether it belongs to a closed record (activities/closedRecords.ts).
-- Without these the lookup intersects the whole lead index with every close row of its type (a bitmap AND, ~0.3 ms
-- per lead on the embedded ledger); with them it is one probe of an index that holds close rows only.
CREATE INDEX ledger_events_lead_closed ON ledger_events (lead_id, occurred_at DESC, id DESC) WHERE type IN ('lead.closed', 'lead.reopened');
CREATE INDEX ledger_events_account_closed ON ledger_events (account_id, occurred_at DESC, id DESC) WHERE type = 'account.closed';
