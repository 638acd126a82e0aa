-- analysis/sources/groupnames.py: group names that settings refer to, checked against the snapshot.

-- name: matches
-- How many groups of the tenant snapshot a setting's group name or id names (exact, as the simulator's
-- scope stage and the executor's group lookups compare).
SELECT count(*) FROM entra_groups WHERE id = $name OR display_name = $name;

-- name: names
-- Every group display name of the snapshot, to suggest the closest ones when a name matches nothing.
SELECT DISTINCT display_name FROM entra_groups WHERE display_name IS NOT NULL;
