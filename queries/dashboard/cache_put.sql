-- Record what the plan table / stored report were computed for (one row per kind).
INSERT OR REPLACE INTO dashboard_cache (kind, key, fingerprint, doc, created_at)
VALUES ($kind, $key, $fingerprint, $doc, now())
