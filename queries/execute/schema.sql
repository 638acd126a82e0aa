-- Execution's own tables (docs/executing.md). Kept across loads: a reload of the datafile or the
-- tenant snapshot never drops or replaces them (CREATE TABLE IF NOT EXISTS only).

-- One row per batch. The plan rows are frozen in batch_rows; plan_hash is SHA-256 over those rows
-- (canonical form) and the settings signature, and approved_hash is the hash the approver saw.
CREATE TABLE IF NOT EXISTS batches (
  batch_id            INTEGER PRIMARY KEY,
  name                VARCHAR NOT NULL UNIQUE,
  state               VARCHAR NOT NULL,   -- draft | approved | running | completed | partial | failed |
                                          -- verified | rolling_back | rolled_back
  selection           VARCHAR NOT NULL,   -- how the users were chosen, e.g. 'group:Wave 1'
  settings_toml       VARCHAR NOT NULL,   -- the simulator settings the plan was made with (TOML)
  settings_signature  VARCHAR NOT NULL,
  selection_signature VARCHAR NOT NULL,   -- docs/simulate.md, stored in migration_marks after verification
  options_json        VARCHAR NOT NULL,   -- execution options frozen at creation (handoff, approval rule)
  plan_hash           VARCHAR NOT NULL,
  load_id             VARCHAR,            -- the workspace load the plan was computed from
  created_by          VARCHAR NOT NULL,
  created_at          TIMESTAMPTZ NOT NULL,
  approved_by         VARCHAR,
  approved_at         TIMESTAMPTZ,
  approved_hash       VARCHAR,            -- NULL unless approved; must equal plan_hash to run
  approval_note       VARCHAR,
  agreement           DOUBLE              -- share of Graph-writable rows verified as predicted
);

-- The users of a batch: what the plan assumed about their Entra state, and how far execution got.
CREATE TABLE IF NOT EXISTS batch_users (
  batch_id      INTEGER NOT NULL,
  user_id       BIGINT NOT NULL,          -- mfa_users.user_id
  username      VARCHAR NOT NULL,
  entra_id      VARCHAR NOT NULL,
  upn           VARCHAR,
  assumed       VARCHAR NOT NULL,         -- canonical Entra state the plan was made on (JSON, no secrets)
  status        VARCHAR NOT NULL,         -- pending | done | drifted | failed | rolled_back
  detail        VARCHAR,                  -- why drifted / failed (no secrets)
  before_image  VARCHAR,                  -- Entra state read just before the first write (JSON)
  replan        VARCHAR,                  -- for drifted users: the plan rows against the live state (JSON)
  updated_at    TIMESTAMPTZ,
  PRIMARY KEY (batch_id, user_id)
);

-- The frozen plan rows (the simulator's plan table, restricted to the batch's users).
CREATE TABLE IF NOT EXISTS batch_rows (
  batch_id  INTEGER NOT NULL,
  row_no    INTEGER NOT NULL,
  user_id   BIGINT NOT NULL,
  entra_id  VARCHAR,
  username  VARCHAR NOT NULL,
  upn       VARCHAR,
  item      VARCHAR NOT NULL,
  ref       VARCHAR,
  action    VARCHAR NOT NULL,
  value     VARCHAR,
  reason    VARCHAR,
  writable  VARCHAR NOT NULL,             -- graph | utility | none
  PRIMARY KEY (batch_id, row_no)
);

-- Every state change of a batch, with who and when (append-only).
CREATE TABLE IF NOT EXISTS batch_events (
  batch_id    INTEGER NOT NULL,
  "at"        TIMESTAMPTZ NOT NULL,
  actor       VARCHAR NOT NULL,
  event       VARCHAR NOT NULL,           -- created | approved | approval_voided | run_started | ...
  from_state  VARCHAR,
  to_state    VARCHAR,
  detail      VARCHAR
);

-- The journal: append-only. An 'intent' row is committed before a request is sent; a 'response'
-- (or, for an unknown outcome, a 'resolved') row after. idem_key identifies one write of one plan
-- step: batch, user, step. Bodies are stored with secrets replaced by '<redacted>'.
CREATE SEQUENCE IF NOT EXISTS journal_seq START 1;
CREATE TABLE IF NOT EXISTS journal (
  seq         BIGINT PRIMARY KEY,
  "at"        TIMESTAMPTZ NOT NULL,
  run_id      VARCHAR NOT NULL,           -- one id per 'batch run' / 'rollback' / 'rollout' invocation
  batch_id    INTEGER,                    -- NULL for rollout / cut-over
  kind        VARCHAR NOT NULL,           -- intent | response | resolved | note
  idem_key    VARCHAR,                    -- '<batch>:<user_id>:<step>' (rollback: 'rb:...')
  user_id     BIGINT,
  entra_id    VARCHAR,
  step        VARCHAR,                    -- mobile | alternateMobile | office | hw_create | hw_assign |
                                          -- hw_activate | default | handoff_group | tap | rollout | ...
  method      VARCHAR,
  url         VARCHAR,
  body        VARCHAR,                    -- JSON, secrets redacted
  status      INTEGER,                    -- HTTP status (response rows)
  outcome     VARCHAR,                    -- ok | applied | already | not_applied | lost | unknown | retry |
                                          -- error | not_sent | handed_off | drifted | changed_since | ...
  response    VARCHAR,                    -- JSON, secrets redacted
  actor       VARCHAR,
  ids         VARCHAR                     -- JSON: ids a later step needs ({"device": ...}), no secrets
);
-- Workspaces made before the ids column existed get it (no-op otherwise).
ALTER TABLE journal ADD COLUMN IF NOT EXISTS ids VARCHAR;

-- Verification results: per plan row, predicted against what Graph shows after the run.
CREATE TABLE IF NOT EXISTS verifications (
  batch_id     INTEGER NOT NULL,
  verified_at  TIMESTAMPTZ NOT NULL,
  row_no       INTEGER NOT NULL,
  username     VARCHAR NOT NULL,
  item         VARCHAR NOT NULL,
  ref          VARCHAR,
  action       VARCHAR NOT NULL,
  writable     VARCHAR NOT NULL,
  predicted    VARCHAR,
  actual       VARCHAR,
  outcome      VARCHAR NOT NULL           -- agrees | differs | skipped | handed_off | not_applicable
);

-- Who made each event, as proven (analysis/execute/actors.py): the OS account of the process always,
-- the Entra user when the operator signed in. Workspaces made before these columns get them (NULL:
-- not recorded, which never counts as a distinct approver).
ALTER TABLE batch_events ADD COLUMN IF NOT EXISTS os_uid INTEGER;
ALTER TABLE batch_events ADD COLUMN IF NOT EXISTS os_user VARCHAR;
ALTER TABLE batch_events ADD COLUMN IF NOT EXISTS entra_upn VARCHAR;
ALTER TABLE batch_events ADD COLUMN IF NOT EXISTS entra_oid VARCHAR;

-- The workspace policy (analysis/execute/policy.py), append-only: the latest row per key is in force,
-- and every change says who made it and when.
CREATE TABLE IF NOT EXISTS workspace_policy (
  "at"       TIMESTAMPTZ NOT NULL,
  key        VARCHAR NOT NULL,            -- four_eyes | approval
  value      VARCHAR NOT NULL,
  actor      VARCHAR NOT NULL,
  os_uid     INTEGER,
  os_user    VARCHAR NOT NULL,
  entra_upn  VARCHAR,
  entra_oid  VARCHAR,
  note       VARCHAR
);

-- Readiness of a batch's users when it was created (analysis/execute/gate.py): per check, and per
-- severity over all checks (check_id '*'), how many had a finding; ('none', '*', 0) when none had.
CREATE TABLE IF NOT EXISTS batch_findings (
  batch_id  INTEGER NOT NULL,
  severity  VARCHAR NOT NULL,             -- blocker | warning | none
  check_id  VARCHAR NOT NULL,
  users     INTEGER NOT NULL
);
