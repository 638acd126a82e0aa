-- One check's stored findings whose user, UPN, subject or detail contains $text ('' = all), first
-- $limit (NULL: all); `total` counts every match.
SELECT subject_type, subject_id, user_id, username, upn, detail, count(*) OVER () AS total
FROM dashboard_findings
WHERE check_id = $check_id
  AND ($text = '' OR username ILIKE '%' || $text || '%' OR upn ILIKE '%' || $text || '%'
       OR subject_id ILIKE '%' || $text || '%' OR detail ILIKE '%' || $text || '%')
ORDER BY rowid
LIMIT $limit
