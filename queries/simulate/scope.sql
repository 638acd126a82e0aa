-- Stage 2: the migration group's members (docs/simulate.md: out_of_scope, scope.group).
-- scope.group names every group whose id or displayName equals it exactly (all such groups united).
-- entra_group_transitive_users already follows nested groups (cycle-safe), ignores contacts and takes
-- a dynamic group's listed members as listed. A group that does not exist gives no members, so every
-- matched user is out_of_scope. With scope.group = '' the table is empty and unused.
-- Output: sim_scope_groups(id) (the groups found), sim_scope_members(entra_id).
CREATE OR REPLACE TEMP TABLE sim_scope_groups AS
SELECT DISTINCT g.id
FROM entra_groups g, sim_settings s
WHERE s.scope_group <> '' AND (g.id = s.scope_group OR g.display_name = s.scope_group);

CREATE OR REPLACE TEMP TABLE sim_scope_members AS
SELECT DISTINCT t.user_id AS entra_id
FROM entra_group_transitive_users t
WHERE t.group_id IN (SELECT id FROM sim_scope_groups);
