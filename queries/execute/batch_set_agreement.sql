UPDATE batches SET agreement = ? WHERE batch_id = ?
