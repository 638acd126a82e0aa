UPDATE batches SET state = 'approved', approved_by = ?, approved_at = ?, approved_hash = ?, approval_note = ?
WHERE batch_id = ? AND state = 'draft'
RETURNING batch_id
