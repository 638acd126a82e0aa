SELECT batch_id, name, state, selection, settings_toml, settings_signature, selection_signature, options_json,
       plan_hash, load_id, created_by, created_at, approved_by, approved_at, approved_hash, approval_note, agreement
FROM batches WHERE name = ?
