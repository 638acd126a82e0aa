-- Conditional on the state the caller read, so a concurrent change is noticed (no rows returned).
UPDATE batches SET state = ? WHERE batch_id = ? AND state = ? RETURNING batch_id
