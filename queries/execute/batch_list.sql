-- One line per batch for `batch list`, newest first.
SELECT b.batch_id, b.name, b.state,
       (SELECT count(*) FROM batch_users u WHERE u.batch_id = b.batch_id) AS users,
       (SELECT count(*) FROM batch_rows r WHERE r.batch_id = b.batch_id AND r.writable = 'graph'
                                          AND r.action <> 'noop') AS graph_writes,
       b.created_by, strftime(b.created_at, '%Y-%m-%d %H:%M') AS created,
       b.approved_by,
       CASE WHEN b.agreement IS NULL THEN NULL ELSE printf('%.1f%%', 100 * b.agreement) END AS agreement
FROM batches b
ORDER BY b.batch_id DESC
