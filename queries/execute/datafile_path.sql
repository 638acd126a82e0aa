-- The MFA Server datafile a load read (hardware OATH secrets are read from it only when written).
SELECT path FROM load_sources
WHERE source = 'datafile' AND load_id = coalesce(?, (SELECT load_id FROM loads ORDER BY loaded_at DESC LIMIT 1))
