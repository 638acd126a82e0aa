-- A batch's frozen plan rows (what the approver approves), optionally filtered, first $limit.
SELECT r.username, r.upn, r.item, r.ref, r.action, r.value, r.reason, r.writable
FROM batch_rows AS r
WHERE r.batch_id = $batch_id
  AND ($text = '' OR r.username ILIKE '%' || $text || '%' OR r.upn ILIKE '%' || $text || '%'
       OR r.action ILIKE '%' || $text || '%')
ORDER BY r.row_no
LIMIT $limit
