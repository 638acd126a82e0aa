-- analysis/sources/shrink.py: a load that would leave no users, or far fewer, is refused unless asked.

-- name: users
-- The MFA Server users and Entra users the workspace holds (before a load: the previous load's; inside
-- the load's transaction: the new ones).
SELECT (SELECT count(*) FROM mfa_users), (SELECT count(*) FROM entra_users);

-- name: rejected
-- The commonest reasons this load rejected user rows of one source ($source: the datafile's name, whose
-- user rows are '<name>:users' for a pfdata file and '<name>' for an export, or 'tenant/users.jsonl'),
-- for the message that explains an empty load.
SELECT reason, count(*) AS n
FROM rejects
WHERE source IN ($source, $source || ':users')
GROUP BY reason
ORDER BY n DESC, reason
LIMIT 2;
