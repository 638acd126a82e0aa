-- What earlier migrations created (optional ledger.jsonl). Fingerprints are stored lower-case; a value
-- that is not 64 hex digits cannot match anything, so the line is reported instead.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/ledger.jsonl', line, col,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            WHEN col IN ('userId', 'entraMethodId') THEN col || ' is missing; the ledger line is left out'
            ELSE col || ' is not 64 hex digits (a SHA-256 fingerprint); the ledger line is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(userId := userId, entraMethodId := entraMethodId, kind := kind,
                                     secretSha256 := secretSha256,
                                     deviceTokenSha256 := deviceTokenSha256))::VARCHAR END
FROM (
  SELECT *,
         CASE
           WHEN NOT is_object THEN NULL
           WHEN NOT present(userId) THEN 'userId'
           WHEN NOT present(entraMethodId) THEN 'entraMethodId'
           WHEN present(secretSha256) AND NOT regexp_full_match(trim(secretSha256), '[0-9a-fA-F]{64}') THEN 'secretSha256'
           WHEN present(deviceTokenSha256) AND NOT regexp_full_match(trim(deviceTokenSha256), '[0-9a-fA-F]{64}')
             THEN 'deviceTokenSha256'
         END AS col
  FROM entra_ledger_stage
)
WHERE NOT is_object OR col IS NOT NULL;

INSERT INTO entra_ledger (user_id, entra_method_id, kind, secret_sha256, device_token_sha256)
SELECT userId, entraMethodId, kind,
       CASE WHEN present(secretSha256) THEN lower(trim(secretSha256)) END,
       CASE WHEN present(deviceTokenSha256) THEN lower(trim(deviceTokenSha256)) END
FROM entra_ledger_stage
WHERE is_object AND present(userId) AND present(entraMethodId)
  AND (NOT present(secretSha256) OR regexp_full_match(trim(secretSha256), '[0-9a-fA-F]{64}'))
  AND (NOT present(deviceTokenSha256) OR regexp_full_match(trim(deviceTokenSha256), '[0-9a-fA-F]{64}'));
