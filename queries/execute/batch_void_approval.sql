UPDATE batches SET state = 'draft', approved_by = NULL, approved_at = NULL, approved_hash = NULL, approval_note = NULL
WHERE batch_id = ?
