-- Who showed or hid full phone numbers on the dashboard, and when (analysis/dashboard/privacy.py;
-- docs/dashboard.md). Kept across loads.

-- name: reveal_schema
CREATE TABLE IF NOT EXISTS dashboard_reveals (
  "at"      TIMESTAMPTZ NOT NULL,
  actor     VARCHAR NOT NULL,   -- the viewer's identity, as recorded for approvals
  revealed  BOOLEAN NOT NULL    -- true: full numbers shown from now on; false: masked again
)

-- name: reveal_insert
INSERT INTO dashboard_reveals ("at", actor, revealed) VALUES (now(), $actor, $revealed)
