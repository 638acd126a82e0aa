-- tenant_info from snapshot.json ($snapshot, JSON text or NULL) and the policies from policies.json
-- ($policies, JSON text or NULL). A snapshot without an authenticationMethodsPolicy object has
-- has_methods_policy = false: the simulator then allows every method (DESIGN 4.7).
INSERT INTO tenant_info (tenant_id, taken_at, source, has_methods_policy)
SELECT json_extract_string($snapshot::JSON, '$.tenantId'),
       json_extract_string($snapshot::JSON, '$.takenAt'),
       json_extract_string($snapshot::JSON, '$.source'),
       coalesce(json_type(json_extract($policies::JSON, '$.authenticationMethodsPolicy')) = 'OBJECT', FALSE);

CREATE OR REPLACE TEMP TABLE policy_configs_stage AS
SELECT e.i AS i, e.c AS c, json_type(e.c) = 'OBJECT' AS is_object, json_extract_string(e.c, '$.id') AS config_id
FROM (SELECT unnest(list_transform(
        json_extract($policies::JSON, '$.authenticationMethodsPolicy.authenticationMethodConfigurations[*]'),
        lambda c, i: {'c': c, 'i': i})) AS e);

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/policies.json', NULL, printf('authenticationMethodConfigurations[%d].id', i - 1),
       'method configuration has no id; it is left out (the simulator treats the method as not enabled)',
       left(c::VARCHAR, 500)
FROM policy_configs_stage
WHERE NOT is_object OR NOT present(config_id);

INSERT INTO entra_method_configs (config_id, state, is_office_phone_allowed, detail)
SELECT config_id, json_extract_string(c, '$.state'),
       TRY_CAST(json_extract_string(c, '$.isOfficePhoneAllowed') AS BOOLEAN), c
FROM policy_configs_stage
WHERE is_object AND present(config_id);

DROP TABLE policy_configs_stage;

CREATE OR REPLACE TEMP TABLE rollout_stage AS
SELECT e.i AS i, e.p AS p, json_type(e.p) = 'OBJECT' AS is_object, json_extract_string(e.p, '$.id') AS policy_id
FROM (SELECT unnest(list_transform(json_extract($policies::JSON, '$.featureRolloutPolicies[*]'),
                                   lambda p, i: {'p': p, 'i': i})) AS e);

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/policies.json', NULL, printf('featureRolloutPolicies[%d].id', i - 1),
       'feature rollout policy has no id; it is left out', left(p::VARCHAR, 500)
FROM rollout_stage
WHERE NOT is_object OR NOT present(policy_id);

INSERT INTO entra_rollout_policies (id, display_name, feature, is_enabled, is_applied_to_organization)
SELECT policy_id, json_extract_string(p, '$.displayName'), json_extract_string(p, '$.feature'),
       TRY_CAST(json_extract_string(p, '$.isEnabled') AS BOOLEAN),
       TRY_CAST(json_extract_string(p, '$.isAppliedToOrganization') AS BOOLEAN)
FROM rollout_stage
WHERE is_object AND present(policy_id);

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/policies.json', NULL, printf('featureRolloutPolicies[%d].appliesTo[%d].id', i - 1, e.j - 1),
       'rollout policy target has no id; it is left out', left(e.g::VARCHAR, 500)
FROM (SELECT i, unnest(list_transform(json_extract(p, '$.appliesTo[*]'), lambda g, j: {'g': g, 'j': j})) AS e
      FROM rollout_stage WHERE is_object AND present(policy_id))
WHERE NOT present(json_extract_string(e.g, '$.id'));

INSERT INTO entra_rollout_policy_groups (policy_id, group_id)
SELECT DISTINCT policy_id, json_extract_string(g, '$.id')
FROM (SELECT policy_id, unnest(json_extract(p, '$.appliesTo[*]')) AS g
      FROM rollout_stage WHERE is_object AND present(policy_id))
WHERE present(json_extract_string(g, '$.id'));

DROP TABLE rollout_stage;
