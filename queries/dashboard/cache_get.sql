-- What the dashboard cached for one kind ('plan' | 'report').
SELECT key, fingerprint, doc FROM dashboard_cache WHERE kind = $kind
