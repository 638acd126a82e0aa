INSERT INTO batches (batch_id, name, state, selection, settings_toml, settings_signature, selection_signature,
                     options_json, plan_hash, load_id, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
