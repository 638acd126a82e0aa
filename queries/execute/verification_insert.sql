INSERT INTO verifications (batch_id, verified_at, row_no, username, item, ref, action, writable, predicted, actual,
                           outcome)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
