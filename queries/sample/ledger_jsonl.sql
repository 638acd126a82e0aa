-- tenant/ledger.jsonl: what earlier migrations created (DESIGN 3.2), from the registered arrow table
-- sample_ledger (ord = line order).
COPY (
  SELECT userId, entraMethodId, kind, secretSha256, deviceTokenSha256 FROM sample_ledger ORDER BY ord
) TO $path (FORMAT json);
