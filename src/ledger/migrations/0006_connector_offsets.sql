-- Where each CRM stream a connector reads stopped, so a restart resumes there (Salesforce Change Data Capture over
-- the Pub/Sub API: the replay id of the last event Temporal had, per topic). Written only after Temporal accepted
-- the events before that position; an event delivered again after a crash is applied once by its CloudEvent id.

CREATE TABLE connector_offsets (
  connector  text NOT NULL,
  -- The CRM instance, as CloudEvent sources name it: salesforce://org/<org id>.
  source     text NOT NULL,
  -- The stream within it: a Pub/Sub topic such as /data/LeadChangeEvent.
  stream     text NOT NULL,
  -- Opaque position (a replay id, hex).
  position   text NOT NULL,
  -- The last event taken up to this position (null when the position came from a keepalive).
  event_id   text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector, source, stream)
);

-- What a connector read but did not turn into Flywheel events, and why: change types Flywheel has no event for,
-- events the field mapping cannot make valid, gap and overflow events (Salesforce sent no record data: the records
-- need a re-read), and positions the CRM no longer kept (a stream-level gap). Ids and field names only, no values.
CREATE TABLE connector_ignored (
  id          bigserial PRIMARY KEY,
  connector   text NOT NULL,
  source      text NOT NULL,
  stream      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('ignored', 'rejected', 'gap', 'replay-reset')),
  position    text,
  event_id    text,
  record_id   text NOT NULL DEFAULT '',
  entity      text,
  change_type text,
  reason      text NOT NULL,
  occurred_at timestamptz,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- A batch delivered again after a crash records its ignored events once.
CREATE UNIQUE INDEX connector_ignored_once ON connector_ignored (connector, source, stream, event_id, record_id, kind) WHERE event_id IS NOT NULL;
CREATE INDEX connector_ignored_recent ON connector_ignored (connector, source, recorded_at);
