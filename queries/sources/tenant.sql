-- The tenant snapshot's queries (analysis/sources/tenant.py, analysis/sources/jsonl.py): each JSONL file
-- is read fast (*_read) or line by line when that fails (*_lines), then inserted into its workspace tables.

-- name: users_read
-- Fast path for tenant/users.jsonl: DuckDB parses the whole file in parallel. Scalars are read as VARCHAR
-- so no value of an unexpected type fails the read; a signInPreferences that is not an object or an
-- authenticationMethods that is not a list does, and the careful path then reads the file. `line` is the record's ordinal, which the
-- loader accepts as the line number only when the file has no blank lines (it counts them); otherwise,
-- or when this read fails, it uses sources/tenant.sql users_lines on line-numbered text instead.
-- The column list must stay the same as in sources/tenant.sql users_lines (a test compares them).
CREATE OR REPLACE TEMP TABLE entra_users_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text,
       CASE WHEN authenticationMethods IS NOT NULL THEN 'ARRAY' END AS methods_type, *
FROM read_json($path, format = 'newline_delimited', columns = {
  'id': 'VARCHAR', 'userPrincipalName': 'VARCHAR', 'displayName': 'VARCHAR',
  'accountEnabled': 'VARCHAR', 'userType': 'VARCHAR', 'mail': 'VARCHAR',
  'onPremisesSyncEnabled': 'VARCHAR', 'onPremisesSecurityIdentifier': 'VARCHAR',
  'onPremisesSamAccountName': 'VARCHAR', 'onPremisesImmutableId': 'VARCHAR', 'employeeId': 'VARCHAR',
  'signInPreferences': 'STRUCT(userPreferredMethodForSecondaryAuthentication VARCHAR,
                               isSystemPreferredAuthenticationMethodEnabled VARCHAR)',
  'authenticationMethods': 'JSON[]', 'methodsError': 'VARCHAR'});

-- name: users_lines
-- Careful path for tenant/users.jsonl: one chunk of line-numbered text (jsonl_lines(line, text), already
-- checked to be valid JSON) taken apart like sources/tenant.sql users_read does. Lines that are JSON but not an
-- object keep their text (shortened) for the rejects table.
CREATE OR REPLACE TEMP VIEW entra_users_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       CASE WHEN json_type(text) = 'OBJECT' THEN nullif(json_type(json_extract(text, '$.authenticationMethods')), 'NULL')
       END AS methods_type,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "id": "VARCHAR", "userPrincipalName": "VARCHAR", "displayName": "VARCHAR",
         "accountEnabled": "VARCHAR", "userType": "VARCHAR", "mail": "VARCHAR",
         "onPremisesSyncEnabled": "VARCHAR", "onPremisesSecurityIdentifier": "VARCHAR",
         "onPremisesSamAccountName": "VARCHAR", "onPremisesImmutableId": "VARCHAR", "employeeId": "VARCHAR",
         "signInPreferences": {"userPreferredMethodForSecondaryAuthentication": "VARCHAR",
                               "isSystemPreferredAuthenticationMethodEnabled": "VARCHAR"},
         "authenticationMethods": ["JSON"], "methodsError": "VARCHAR"}'))
FROM jsonl_lines;

-- name: groups_read
-- Fast path for tenant/groups.jsonl (see sources/tenant.sql users_read; twin: sources/tenant.sql groups_lines).
CREATE OR REPLACE TEMP TABLE entra_groups_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text, *
FROM read_json($path, format = 'newline_delimited', maximum_object_size = 268435456, columns = {
  'id': 'VARCHAR', 'displayName': 'VARCHAR', 'groupTypes': 'JSON', 'membershipRule': 'VARCHAR',
  'securityEnabled': 'VARCHAR', 'members': 'JSON'});

-- name: groups_lines
-- Careful path for tenant/groups.jsonl (see sources/tenant.sql users_lines).
CREATE OR REPLACE TEMP VIEW entra_groups_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "id": "VARCHAR", "displayName": "VARCHAR", "groupTypes": "JSON", "membershipRule": "VARCHAR",
         "securityEnabled": "VARCHAR", "members": "JSON"}'))
FROM jsonl_lines;

-- name: domains_read
-- Fast path for tenant/domains.jsonl (see sources/tenant.sql users_read; twin: sources/tenant.sql domains_lines).
CREATE OR REPLACE TEMP TABLE entra_domains_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text, *
FROM read_json($path, format = 'newline_delimited', columns = {
  'id': 'VARCHAR', 'authenticationType': 'VARCHAR', 'isVerified': 'VARCHAR',
  'federationConfiguration': 'JSON'});

-- name: domains_lines
-- Careful path for tenant/domains.jsonl (see sources/tenant.sql users_lines).
CREATE OR REPLACE TEMP VIEW entra_domains_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "id": "VARCHAR", "authenticationType": "VARCHAR", "isVerified": "VARCHAR",
         "federationConfiguration": "JSON"}'))
FROM jsonl_lines;

-- name: ledger_read
-- Fast path for tenant/ledger.jsonl (see sources/tenant.sql users_read; twin: sources/tenant.sql ledger_lines).
CREATE OR REPLACE TEMP TABLE entra_ledger_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text, *
FROM read_json($path, format = 'newline_delimited', columns = {
  'userId': 'VARCHAR', 'entraMethodId': 'VARCHAR', 'kind': 'VARCHAR', 'secretSha256': 'VARCHAR',
  'deviceTokenSha256': 'VARCHAR'});

-- name: ledger_lines
-- Careful path for tenant/ledger.jsonl (see sources/tenant.sql users_lines).
CREATE OR REPLACE TEMP VIEW entra_ledger_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "userId": "VARCHAR", "entraMethodId": "VARCHAR", "kind": "VARCHAR", "secretSha256": "VARCHAR",
         "deviceTokenSha256": "VARCHAR"}'))
FROM jsonl_lines;

-- name: users_insert
-- Entra users from entra_users_stage (sources/tenant.sql users_read or sources/tenant.sql users_lines), unusable lines to
-- rejects, and their methods staged for sources/tenant.sql methods_insert. Method objects are kept whole for
-- entra_methods.detail, minus any secret-bearing field a hand-made snapshot might carry.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/users.jsonl', line,
       CASE WHEN is_object THEN 'id' END,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            ELSE 'user object has no id; the user is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(userPrincipalName := userPrincipalName, displayName := displayName,
                                     mail := mail))::VARCHAR END
FROM entra_users_stage
WHERE NOT is_object OR NOT present(id);

INSERT INTO entra_users (
  id, user_principal_name, display_name, account_enabled, user_type, mail, on_premises_sync_enabled,
  on_premises_security_identifier, on_premises_sam_account_name, on_premises_immutable_id, employee_id,
  preferred_method, system_preferred_enabled, methods_error, source_line)
SELECT
  id, userPrincipalName, displayName, TRY_CAST(accountEnabled AS BOOLEAN), userType, mail,
  TRY_CAST(onPremisesSyncEnabled AS BOOLEAN), onPremisesSecurityIdentifier, onPremisesSamAccountName,
  onPremisesImmutableId, employeeId,
  signInPreferences.userPreferredMethodForSecondaryAuthentication,
  TRY_CAST(signInPreferences.isSystemPreferredAuthenticationMethodEnabled AS BOOLEAN),
  CASE
    WHEN present(methodsError) THEN methodsError
    WHEN methods_type <> 'ARRAY' THEN 'authenticationMethods is not a list in the snapshot'
  END,
  line
FROM entra_users_stage
WHERE is_object AND present(id);

-- One row per method; i is its position in the user's list, for the rejects' column name.
CREATE OR REPLACE TEMP TABLE entra_methods_stage AS
SELECT line, user_id, i, json_type(m) = 'OBJECT' AS is_object,
       f.id AS method_id, f."@odata.type" AS odata_type, f.phoneType AS phone_type,
       f.phoneNumber AS phone_number, f.displayName AS display_name,
       CASE WHEN contains(m, 'secretKey') OR contains(m, 'temporaryAccessPass')
            THEN json_merge_patch(m, '{"secretKey": null, "temporaryAccessPass": null}') ELSE m END AS detail
FROM (
  SELECT *, json_transform(m, '{"id": "VARCHAR", "@odata.type": "VARCHAR", "phoneType": "VARCHAR",
                                "phoneNumber": "VARCHAR", "displayName": "VARCHAR"}') AS f
  FROM (
    SELECT line, id AS user_id, unnest(authenticationMethods) AS m,
           generate_subscripts(authenticationMethods, 1) AS i
    FROM entra_users_stage
    WHERE is_object AND present(id) AND methods_type = 'ARRAY'
  )
);

-- name: methods_insert
-- The usable methods of entra_methods_stage (sources/tenant.sql users_insert) into entra_methods, with their kind
-- from @odata.type; returns how many. phone_e164 / phone_extension are filled by analysis.sources.phones.
INSERT INTO entra_methods (
  user_id, method_id, odata_type, kind, phone_type, phone_number, phone_e164, phone_extension,
  display_name, detail)
SELECT
  user_id, method_id, odata_type,
  CASE replace(replace(lower(odata_type), '#', ''), 'microsoft.graph.', '')
    WHEN 'phoneauthenticationmethod' THEN 'phone'
    WHEN 'microsoftauthenticatorauthenticationmethod' THEN 'authenticator'
    WHEN 'softwareoathauthenticationmethod' THEN 'software_oath'
    WHEN 'hardwareoathauthenticationmethod' THEN 'hardware_oath'
    WHEN 'fido2authenticationmethod' THEN 'fido2'
    WHEN 'passwordauthenticationmethod' THEN 'password'
    WHEN 'emailauthenticationmethod' THEN 'email'
    WHEN 'temporaryaccesspassauthenticationmethod' THEN 'tap'
    WHEN 'windowshelloforbusinessauthenticationmethod' THEN 'windows_hello'
    ELSE 'other'
  END,
  phone_type, phone_number, NULL, NULL, display_name, detail
FROM entra_methods_stage
WHERE is_object AND present(method_id) AND present(odata_type);

-- name: methods_rejects
-- Methods of entra_methods_stage that cannot be used (run only when sources/tenant.sql methods_insert inserted
-- fewer rows than the stage holds).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/users.jsonl', line,
       printf('authenticationMethods[%d].%s', i - 1, CASE WHEN is_object AND NOT present(method_id) THEN 'id'
                                                      ELSE '@odata.type' END),
       CASE WHEN NOT is_object THEN 'authentication method is not an object; the method is left out'
            WHEN NOT present(method_id) THEN 'authentication method has no id; the method is left out'
            ELSE 'authentication method has no @odata.type; the method is left out' END,
       left(detail::VARCHAR, 500)
FROM entra_methods_stage
WHERE NOT is_object OR NOT present(method_id) OR NOT present(odata_type);

-- name: groups_insert
-- Entra groups and their direct members from entra_groups_stage, then every user reachable through
-- nested groups (cycle-safe: the recursive UNION stops at pairs it has already seen; contacts and
-- other member kinds are not followed). A member listed without @odata.type is classified by what the
-- snapshot holds: a known group id is a group, a known user id a user, anything else 'other'.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/groups.jsonl', line,
       CASE WHEN is_object THEN 'id' END,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            ELSE 'group object has no id; the group is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(displayName := displayName, membershipRule := membershipRule))::VARCHAR END
FROM entra_groups_stage
WHERE NOT is_object OR NOT present(id);

INSERT INTO entra_groups (id, display_name, group_types, is_dynamic, membership_rule, security_enabled)
SELECT id, displayName, types, coalesce(list_contains(types, 'DynamicMembership'), FALSE), membershipRule,
       TRY_CAST(securityEnabled AS BOOLEAN)
FROM (
  SELECT *, CASE WHEN json_type(groupTypes) = 'ARRAY' THEN json_extract_string(groupTypes, '$[*]') END AS types
  FROM entra_groups_stage
  WHERE is_object AND present(id)
);

-- Members parsed straight into structs (a member that is not an object gives an all-NULL struct);
-- i is the member's position in the list, for the rejects' column name.
CREATE OR REPLACE TEMP TABLE entra_members_stage AS
SELECT line, group_id, m.id AS member_id,
       replace(replace(lower(m."@odata.type"), '#', ''), 'microsoft.graph.', '') AS t, i, to_json(m)::VARCHAR AS raw
FROM (
  SELECT line, id AS group_id, unnest(l) AS m, generate_subscripts(l, 1) AS i
  FROM (SELECT line, id, json_transform(members, '[{"id": "VARCHAR", "@odata.type": "VARCHAR"}]') AS l
        FROM entra_groups_stage
        WHERE is_object AND present(id) AND json_type(members) = 'ARRAY')
);

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/groups.jsonl', line, 'members', 'members is not a list; the group is loaded without members',
       left(members::VARCHAR, 500)
FROM entra_groups_stage
WHERE is_object AND present(id) AND members IS NOT NULL AND json_type(members) NOT IN ('ARRAY', 'NULL');

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/groups.jsonl', line, printf('members[%d].id', i - 1),
       'group member has no id; the member is left out', raw
FROM entra_members_stage
WHERE NOT present(member_id);

INSERT INTO entra_group_members (group_id, member_id, member_type)
SELECT group_id, member_id,
       CASE
         WHEN t = 'user' THEN 'user'
         WHEN t = 'group' THEN 'group'
         WHEN t = 'orgcontact' THEN 'contact'
         WHEN t IS NOT NULL AND t <> '' THEN 'other'
         WHEN member_id IN (SELECT id FROM entra_groups) THEN 'group'
         WHEN member_id IN (SELECT id FROM entra_users) THEN 'user'
         ELSE 'other'
       END
FROM entra_members_stage
WHERE present(member_id);

DROP TABLE entra_members_stage;

INSERT INTO entra_group_transitive_users (group_id, user_id)
WITH RECURSIVE reach(root, grp) AS (
  SELECT id, id FROM entra_groups
  UNION
  SELECT r.root, m.member_id
  FROM reach AS r
  JOIN entra_group_members AS m ON m.group_id = r.grp AND m.member_type = 'group'
)
SELECT DISTINCT r.root, m.member_id
FROM reach AS r
JOIN entra_group_members AS m ON m.group_id = r.grp AND m.member_type = 'user';

-- name: domains_insert
-- Domains with their federation configuration. Graph lists a domain's federationConfiguration as an
-- array (empty for a managed domain); a single object, or Graph's {"value": [...]} envelope, is read too.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/domains.jsonl', line,
       CASE WHEN is_object THEN 'id' END,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            ELSE 'domain object has no id; the domain is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(authenticationType := authenticationType))::VARCHAR END
FROM entra_domains_stage
WHERE NOT is_object OR NOT present(id);

INSERT INTO entra_domains (id, authentication_type, is_verified, federated_idp_mfa_behavior, federation)
SELECT id, authenticationType, TRY_CAST(isVerified AS BOOLEAN),
       coalesce(json_extract_string(federationConfiguration, '$[0].federatedIdpMfaBehavior'),
                json_extract_string(federationConfiguration, '$.value[0].federatedIdpMfaBehavior'),
                json_extract_string(federationConfiguration, '$.federatedIdpMfaBehavior')),
       federationConfiguration
FROM entra_domains_stage
WHERE is_object AND present(id);

-- name: ledger_insert
-- What earlier migrations created (optional ledger.jsonl). Fingerprints are stored lower-case; a value
-- that is not 64 hex digits cannot match anything, so the line is reported instead.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/ledger.jsonl', line, col,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            WHEN col IN ('userId', 'entraMethodId') THEN col || ' is missing; the ledger line is left out'
            ELSE col || ' is not 64 hex digits (a SHA-256 fingerprint); the ledger line is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(userId := userId, entraMethodId := entraMethodId, kind := kind,
                                     secretSha256 := secretSha256,
                                     deviceTokenSha256 := deviceTokenSha256))::VARCHAR END
FROM (
  SELECT *,
         CASE
           WHEN NOT is_object THEN NULL
           WHEN NOT present(userId) THEN 'userId'
           WHEN NOT present(entraMethodId) THEN 'entraMethodId'
           WHEN present(secretSha256) AND NOT regexp_full_match(trim(secretSha256), '[0-9a-fA-F]{64}') THEN 'secretSha256'
           WHEN present(deviceTokenSha256) AND NOT regexp_full_match(trim(deviceTokenSha256), '[0-9a-fA-F]{64}')
             THEN 'deviceTokenSha256'
         END AS col
  FROM entra_ledger_stage
)
WHERE NOT is_object OR col IS NOT NULL;

INSERT INTO entra_ledger (user_id, entra_method_id, kind, secret_sha256, device_token_sha256)
SELECT userId, entraMethodId, kind,
       CASE WHEN present(secretSha256) THEN lower(trim(secretSha256)) END,
       CASE WHEN present(deviceTokenSha256) THEN lower(trim(deviceTokenSha256)) END
FROM entra_ledger_stage
WHERE is_object AND present(userId) AND present(entraMethodId)
  AND (NOT present(secretSha256) OR regexp_full_match(trim(secretSha256), '[0-9a-fA-F]{64}'))
  AND (NOT present(deviceTokenSha256) OR regexp_full_match(trim(deviceTokenSha256), '[0-9a-fA-F]{64}'));

-- name: policies_insert
-- tenant_info from snapshot.json ($snapshot, JSON text or NULL) and the policies from policies.json
-- ($policies, JSON text or NULL). A snapshot without an authenticationMethodsPolicy object has
-- has_methods_policy = false: the simulator then allows every method (docs/simulate.md).
INSERT INTO tenant_info (tenant_id, taken_at, source, has_methods_policy)
SELECT json_extract_string($snapshot::JSON, '$.tenantId'),
       json_extract_string($snapshot::JSON, '$.takenAt'),
       json_extract_string($snapshot::JSON, '$.source'),
       coalesce(json_type(json_extract($policies::JSON, '$.authenticationMethodsPolicy')) = 'OBJECT', FALSE);

INSERT INTO entra_registration_campaign (state, snooze_days, include_targets, exclude_targets)
SELECT json_extract_string(c, '$.state'), TRY_CAST(json_extract_string(c, '$.snoozeDurationInDays') AS INTEGER),
       coalesce(json_extract(c, '$.includeTargets'), '[]'::JSON), coalesce(json_extract(c, '$.excludeTargets'), '[]'::JSON)
FROM (SELECT json_extract($policies::JSON,
        '$.authenticationMethodsPolicy.registrationEnforcement.authenticationMethodsRegistrationCampaign') AS c)
WHERE json_type(c) = 'OBJECT';

-- Not read is not none: a snapshot that could not read Staged Rollout (Graph refuses it to app-only
-- tokens) or the methods policy says so in snapshot.json's notRead; a policies.json without the key,
-- or no policies.json at all ($has_policies false), is not read either.
INSERT INTO entra_not_read (what, reason)
SELECT what, coalesce(json_extract_string($snapshot::JSON, '$.notRead.' || key),
                      CASE WHEN NOT $has_policies THEN 'the tenant snapshot has no policies.json'
                           ELSE format('policies.json has no {}', key) END)
FROM (VALUES ('staged_rollout', 'featureRolloutPolicies', 'ARRAY'),
             ('methods_policy', 'authenticationMethodsPolicy', 'OBJECT')) AS k(what, key, kind)
WHERE coalesce(json_type(json_extract($policies::JSON, '$.' || key)), '') <> kind;

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

-- name: duplicates
-- Ids that must be unique in the snapshot, as (file, id, lines, count); the loader stops with one error
-- listing the first few.
SELECT * FROM (
  SELECT 'users.jsonl' AS file, id, list(source_line ORDER BY source_line)[1:5] AS lines, count(*) AS n
  FROM entra_users GROUP BY id HAVING count(*) > 1
  UNION ALL
  SELECT 'groups.jsonl', id, list(line ORDER BY line)[1:5], count(*)
  FROM entra_groups_stage WHERE is_object AND present(id) GROUP BY id HAVING count(*) > 1
)
ORDER BY file DESC, lines[1]
LIMIT 5
