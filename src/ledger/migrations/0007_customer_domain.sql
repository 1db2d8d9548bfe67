-- Every new lead asks whether its domain is already a customer (activities/lead/facts.ts accountFacts: the latest
-- won deal or imported account with that domain) before it is qualified and routed. Without this index the lookup
-- reads every won deal and imported account's jsonb; after importing a book of thousands of customers, that scan
-- is paid by every lead. Partial: only the two row types the lookup reads are indexed.
CREATE INDEX ledger_events_customer_domain ON ledger_events (lower(data->>'domain'), occurred_at DESC)
  WHERE type IN ('deal.won', 'account.imported');
