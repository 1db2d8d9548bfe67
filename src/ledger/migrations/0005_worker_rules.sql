-- Each running worker's rules, reported by its heartbeat (src/worker/heartbeat.ts), so a rollout whose workers
-- decide with different rules revisions shows in /healthz and `flywheel doctor`. A worker removes its row when it
-- stops; the row of one that died ages out of the "live" window (seen in the last 2 minutes) and is pruned later.

CREATE TABLE worker_rules (
  identity        text NOT NULL,
  task_queue      text NOT NULL,
  -- The revision deciding now; null while the worker's rules folder has never been valid.
  rules_revision  text,
  rules_status    text NOT NULL CHECK (rules_status IN ('ok', 'degraded')),
  -- rules.shadow: what it is (folder x | ref y), the revision it decides with, why it cannot.
  shadow_source   text,
  shadow_revision text,
  shadow_error    text,
  started_at      timestamptz NOT NULL,
  seen_at         timestamptz NOT NULL,
  PRIMARY KEY (identity, task_queue)
);
