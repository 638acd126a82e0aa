"""Microsoft's Graph SDK (msgraph-sdk, azure-identity) runs a tenant's own admin tasks against the emulator.

What an administrator's script does during an MFA Server migration, written as Microsoft's SDK
documentation shows it (client construction: ``sdk_clients``): list users page by page, read a group's
transitive user members, manage group membership by ``$ref``, read every kind of authentication method,
manage phones and Temporary Access Passes, run Staged Rollout with a device-code sign-in, flip a
domain's federation MFA behaviour, and send a ``$batch``. The SDK parses every answer with its
generated models, so a shape, status code or header the emulator gets wrong fails here. Beta calls
(signInPreferences, hardware OATH) are in ``test_emulator_msgraph_beta.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from emulator_tenant import DOMAIN, TENANT_ID, USERS, gid, uid, upn
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.groups.item.transitive_members.graph_user.graph_user_request_builder import (
    GraphUserRequestBuilder,
)
from msgraph.generated.models.authentication_phone_type import AuthenticationPhoneType
from msgraph.generated.models.email_authentication_method import EmailAuthenticationMethod
from msgraph.generated.models.feature_rollout_policy import FeatureRolloutPolicy
from msgraph.generated.models.federated_idp_mfa_behavior import FederatedIdpMfaBehavior
from msgraph.generated.models.fido2_authentication_method import Fido2AuthenticationMethod
from msgraph.generated.models.internal_domain_federation import InternalDomainFederation
from msgraph.generated.models.microsoft_authenticator_authentication_method import (
    MicrosoftAuthenticatorAuthenticationMethod,
)
from msgraph.generated.models.password_authentication_method import PasswordAuthenticationMethod
from msgraph.generated.models.phone_authentication_method import PhoneAuthenticationMethod
from msgraph.generated.models.platform_credential_authentication_method import (
    PlatformCredentialAuthenticationMethod,
)
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.software_oath_authentication_method import SoftwareOathAuthenticationMethod
from msgraph.generated.models.staged_feature_name import StagedFeatureName
from msgraph.generated.models.temporary_access_pass_authentication_method import (
    TemporaryAccessPassAuthenticationMethod,
)
from msgraph.generated.models.user import User
from msgraph.generated.models.windows_hello_for_business_authentication_method import (
    WindowsHelloForBusinessAuthenticationMethod,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core import PageIterator
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from sdk_clients import api_error, app_credential, device_credential, unknown_properties, v1_client

from analysis.graph.emulator.launcher import EmulatorInfo

pytestmark = [
    pytest.mark.slow,
    # The SDK's generated builders warn about their own deprecated configuration classes.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
GRAPH = "https://graph.microsoft.com/v1.0"


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def eventual(query: Any) -> RequestConfiguration[Any]:
    config: RequestConfiguration[Any] = RequestConfiguration(query_parameters=query)
    config.headers.add("ConsistencyLevel", "eventual")
    return config


def test_users_page_by_page_with_count_and_by_upn(emu: EmulatorInfo) -> None:
    client = v1_client(emu, app_credential(emu))

    async def scenario() -> None:
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            top=5, select=["id", "userPrincipalName", "displayName"], count=True
        )
        first = await client.users.get(request_configuration=eventual(query))
        assert first.odata_count == USERS and len(first.value) == 5 and first.odata_next_link
        seen: list[User] = []
        pages = PageIterator(first, client.request_adapter)
        pages.headers.add("ConsistencyLevel", "eventual")  # headers are not carried by nextLinks
        await pages.iterate(lambda user: seen.append(user) or True)
        assert sorted(u.user_principal_name for u in seen) == sorted(upn(i) for i in range(USERS))
        assert all(isinstance(u, User) and u.id and not unknown_properties(u) for u in seen)

        user = await client.users.by_user_id(upn(3).upper()).get()
        assert user.id == uid(3) and user.business_phones == [] and user.display_name == "User 3"
        assert not unknown_properties(user)  # snapshot-only keys (methods, preferences) never leak
        missing = await api_error(lambda: client.users.by_user_id("nobody@fabrikam.example").get())
        assert missing.response_status_code == 404 and missing.error.code == "Request_ResourceNotFound"

    run(scenario)


def test_transitive_members_cast_to_users_needs_advanced_query(emu: EmulatorInfo) -> None:
    client = v1_client(emu, app_credential(emu))
    nested = client.groups.by_group_id(gid(2))

    async def scenario() -> None:
        query = GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            count=True, select=["id", "userPrincipalName"]
        )
        users = await nested.transitive_members.graph_user.get(request_configuration=eventual(query))
        assert {u.id for u in users.value} == {uid(7), uid(8), uid(9)} and users.odata_count == 3
        assert all(isinstance(u, User) for u in users.value)
        refused = await api_error(lambda: nested.transitive_members.graph_user.get())
        assert refused.response_status_code == 400 and refused.error.code == "Request_UnsupportedQuery"
        everyone = await nested.transitive_members.get()
        kinds = {type(m).__name__ for m in everyone.value}
        assert kinds == {"User", "Group"}, kinds

    run(scenario)


def test_group_members_by_ref(emu: EmulatorInfo) -> None:
    client = v1_client(emu, app_credential(emu))
    group = client.groups.by_group_id(gid(6))

    async def scenario() -> None:
        ref = ReferenceCreate(odata_id=f"{GRAPH}/directoryObjects/{uid(10)}")
        await group.members.ref.post(ref)
        members = await group.members.get()
        assert [m.id for m in members.value] == [uid(10)] and isinstance(members.value[0], User)
        duplicate = await api_error(lambda: group.members.ref.post(ref))
        assert duplicate.response_status_code == 400 and duplicate.error.code == "Request_BadRequest"
        await group.members.by_directory_object_id(uid(10)).ref.delete()
        assert (await group.members.get()).value == []
        await group.members.ref.post(ref)
        by_query: RequestConfiguration[Any] = RequestConfiguration(
            query_parameters=group.members.ref.RefRequestBuilderDeleteQueryParameters(
                id=f"{GRAPH}/directoryObjects/{uid(10)}"
            )
        )
        await group.members.ref.delete(request_configuration=by_query)  # the ?$id= spelling
        assert (await group.members.get()).value == []
        gone = await api_error(lambda: group.members.by_directory_object_id(uid(10)).ref.delete())
        assert gone.response_status_code == 404
        synced = client.groups.by_group_id(gid(4)).members.ref
        refused = await api_error(
            lambda: synced.post(ReferenceCreate(odata_id=f"{GRAPH}/directoryObjects/{uid(9)}"))
        )
        assert refused.response_status_code == 400

    run(scenario)


EVERY_TYPE = {
    PasswordAuthenticationMethod,
    PhoneAuthenticationMethod,
    EmailAuthenticationMethod,
    Fido2AuthenticationMethod,
    MicrosoftAuthenticatorAuthenticationMethod,
    SoftwareOathAuthenticationMethod,
    TemporaryAccessPassAuthenticationMethod,
    WindowsHelloForBusinessAuthenticationMethod,
    PlatformCredentialAuthenticationMethod,
}


def test_every_method_type_parses_into_its_model(emu: EmulatorInfo) -> None:
    client = v1_client(emu, app_credential(emu))
    auth = client.users.by_user_id(upn(12)).authentication

    async def scenario() -> None:
        methods = (await auth.methods.get()).value
        assert {type(m) for m in methods} == EVERY_TYPE  # hardware OATH is beta-only
        assert all(not unknown_properties(m) for m in methods), [unknown_properties(m) for m in methods]
        families = {
            auth.password_methods: PasswordAuthenticationMethod,
            auth.phone_methods: PhoneAuthenticationMethod,
            auth.email_methods: EmailAuthenticationMethod,
            auth.fido2_methods: Fido2AuthenticationMethod,
            auth.microsoft_authenticator_methods: MicrosoftAuthenticatorAuthenticationMethod,
            auth.software_oath_methods: SoftwareOathAuthenticationMethod,
            auth.temporary_access_pass_methods: TemporaryAccessPassAuthenticationMethod,
            auth.windows_hello_for_business_methods: WindowsHelloForBusinessAuthenticationMethod,
            auth.platform_credential_methods: PlatformCredentialAuthenticationMethod,
        }
        for builder, model in families.items():
            listed = (await builder.get()).value
            assert len(listed) == 1 and isinstance(listed[0], model), (model, listed)
        fido = next(m for m in methods if isinstance(m, Fido2AuthenticationMethod))
        assert fido.attestation_level is not None and fido.attestation_level.value == "attested"
        hello = next(m for m in methods if isinstance(m, WindowsHelloForBusinessAuthenticationMethod))
        assert hello.key_strength is not None and hello.key_strength.value == "normal"
        platform = next(m for m in methods if isinstance(m, PlatformCredentialAuthenticationMethod))
        assert platform.platform is not None and platform.platform.value == "macOS"
        password = next(m for m in methods if isinstance(m, PasswordAuthenticationMethod))
        assert password.password is None and password.created_date_time is not None
        tap = next(m for m in methods if isinstance(m, TemporaryAccessPassAuthenticationMethod))
        assert tap.temporary_access_pass is None and tap.is_usable is False
        assert tap.method_usability_reason == "Expired"
        one = await auth.microsoft_authenticator_methods.by_microsoft_authenticator_authentication_method_id(
            "a0000012-0000-4000-8000-000000000000"
        ).get()
        assert one.display_name == "Phone 0 of u12" and one.phone_app_version == "6.2401.0119"
        cannot = await api_error(lambda: auth.fido2_methods.by_fido2_authentication_method_id("nope").get())
        assert cannot.response_status_code == 404 and cannot.error.code == "itemNotFound"

    run(scenario)


def test_phones_email_and_temporary_access_pass(emu: EmulatorInfo) -> None:
    client = v1_client(emu, app_credential(emu))
    auth = client.users.by_user_id(upn(0)).authentication

    async def scenario() -> None:
        body = PhoneAuthenticationMethod(
            phone_number="+1 5555550199", phone_type=AuthenticationPhoneType.Mobile
        )
        created = await auth.phone_methods.post(body)
        assert (
            created.phone_number == "+1 5555550199" and created.phone_type == AuthenticationPhoneType.Mobile
        )
        assert created.sms_sign_in_state is not None  # an enum value the SDK knows
        duplicate = await api_error(lambda: auth.phone_methods.post(body))
        assert duplicate.response_status_code == 400 and duplicate.error.code == "badRequest"
        mobile = auth.phone_methods.by_phone_authentication_method_id(created.id)
        await mobile.patch(PhoneAuthenticationMethod(phone_number="+1 5555550100"))
        assert (await mobile.get()).phone_number == "+1 5555550100"
        not_allowed = await api_error(lambda: mobile.enable_sms_sign_in.post())  # Sms policy: not for sign-in
        assert not_allowed.response_status_code == 400
        await mobile.delete()
        assert (await auth.phone_methods.get()).value == []

        email = await auth.email_methods.post(EmailAuthenticationMethod(email_address="u0@home.example"))
        assert email.email_address == "u0@home.example"
        item = auth.email_methods.by_email_authentication_method_id(email.id)
        await item.patch(EmailAuthenticationMethod(email_address="u0@elsewhere.example"))
        assert (await item.get()).email_address == "u0@elsewhere.example"
        await item.delete()

        tap = await auth.temporary_access_pass_methods.post(
            TemporaryAccessPassAuthenticationMethod(lifetime_in_minutes=120, is_usable_once=True)
        )
        assert tap.temporary_access_pass and len(tap.temporary_access_pass) == 8
        assert tap.is_usable is True and tap.method_usability_reason == "EnabledByPolicy"
        assert tap.lifetime_in_minutes == 120 and tap.is_usable_once is True
        listed = (await auth.temporary_access_pass_methods.get()).value
        assert [t.id for t in listed] == [tap.id] and listed[0].temporary_access_pass is None
        too_long = await api_error(
            lambda: auth.temporary_access_pass_methods.post(
                TemporaryAccessPassAuthenticationMethod(lifetime_in_minutes=481)
            )
        )
        assert too_long.response_status_code == 400 and too_long.error.code == "badRequest"
        await auth.temporary_access_pass_methods.by_temporary_access_pass_authentication_method_id(
            tap.id
        ).delete()
        assert (await auth.temporary_access_pass_methods.get()).value == []

    run(scenario)


def test_staged_rollout_with_a_device_code_sign_in(emu: EmulatorInfo) -> None:
    prompts: list[str] = []
    admin = v1_client(emu, device_credential(emu, prompts))
    app = v1_client(emu, app_credential(emu))

    def prefer() -> RequestConfiguration[Any]:
        config: RequestConfiguration[Any] = RequestConfiguration()
        config.headers.add("Prefer", "include-unknown-enum-members")
        return config

    async def scenario() -> None:
        refused = await api_error(lambda: app.policies.feature_rollout_policies.get())
        assert refused.response_status_code == 403  # Graph: delegated permissions only
        body = FeatureRolloutPolicy(
            display_name="MFA rollout",
            feature=StagedFeatureName.MultiFactorAuthentication,
            is_enabled=True,
            is_applied_to_organization=False,
        )
        needs_header = await api_error(lambda: admin.policies.feature_rollout_policies.post(body))
        assert needs_header.response_status_code == 400
        policy = await admin.policies.feature_rollout_policies.post(body, request_configuration=prefer())
        assert prompts, "the device-code prompt was never shown"
        assert policy.feature == StagedFeatureName.MultiFactorAuthentication
        item = admin.policies.feature_rollout_policies.by_feature_rollout_policy_id(policy.id)
        await item.applies_to.ref.post(ReferenceCreate(odata_id=f"{GRAPH}/directoryObjects/{gid(1)}"))
        applied = (await item.applies_to.get()).value
        assert [g.id for g in applied] == [gid(1)] and type(applied[0]).__name__ == "Group"
        hidden = await item.get()
        assert hidden.feature == StagedFeatureName.UnknownFutureValue  # without the Prefer header
        await item.applies_to.by_directory_object_id(gid(1)).ref.delete()
        await item.delete()
        listed = await admin.policies.feature_rollout_policies.get(request_configuration=prefer())
        assert policy.id not in {p.id for p in listed.value}

    run(scenario)


def test_domain_federation_configuration(emu: EmulatorInfo) -> None:
    client = v1_client(emu, app_credential(emu))

    async def scenario() -> None:
        domains = (await client.domains.get()).value
        assert {d.id for d in domains} == {DOMAIN, f"corp.{DOMAIN}"}
        assert all(not unknown_properties(d) for d in domains)
        federated = client.domains.by_domain_id(f"corp.{DOMAIN}").federation_configuration
        config = (await federated.get()).value[0]
        assert isinstance(config, InternalDomainFederation)
        assert config.federated_idp_mfa_behavior == FederatedIdpMfaBehavior.EnforceMfaByFederatedIdp
        item = federated.by_internal_domain_federation_id(config.id)
        await item.patch(
            InternalDomainFederation(
                federated_idp_mfa_behavior=FederatedIdpMfaBehavior.RejectMfaByFederatedIdp
            )
        )
        assert (
            await item.get()
        ).federated_idp_mfa_behavior == FederatedIdpMfaBehavior.RejectMfaByFederatedIdp
        managed = await api_error(lambda: client.domains.by_domain_id(DOMAIN).federation_configuration.get())
        assert managed.response_status_code == 404

    run(scenario)


def test_batch(emu: EmulatorInfo) -> None:
    """Statuses and headers per item. What msgraph-core 1.5.2 cannot do against Graph either: it writes
    ``dependsOn`` as ``depends_on`` (Graph does not read it, so items are not ordered) and it reads an
    item's JSON ``body`` as base64 bytes (Graph sends JSON objects), so ``get_response_by_id(id, Type)``
    fails; a script reads the effect of a write with a GET afterwards, as here."""
    client = v1_client(emu, app_credential(emu))
    auth = client.users.by_user_id(upn(11)).authentication

    async def scenario() -> None:
        phone = PhoneAuthenticationMethod(
            phone_number="+44 7700900911", phone_type=AuthenticationPhoneType.Mobile
        )
        bad = PhoneAuthenticationMethod(
            phone_number="07700 900911", phone_type=AuthenticationPhoneType.Office
        )
        items = [
            BatchRequestItem(auth.phone_methods.to_post_request_information(phone), id="add"),
            BatchRequestItem(auth.phone_methods.to_post_request_information(bad), id="bad"),
            BatchRequestItem(client.users.by_user_id(uid(11)).to_get_request_information(), id="user"),
            BatchRequestItem(client.users.by_user_id(uid(999)).to_get_request_information(), id="missing"),
        ]
        content = BatchRequestContent({item.id: item for item in items})
        answer = await client.batch.post(batch_request_content=content)
        assert answer.get_response_status_codes() == {"add": 201, "bad": 400, "user": 200, "missing": 404}
        assert answer.responses["user"].content_type.startswith("application/json")
        assert answer.responses["missing"].headers["Content-Type"] == "application/json"
        assert [p.phone_number for p in (await auth.phone_methods.get()).value] == ["+44 7700900911"]

    run(scenario)


def test_tenant_and_request_ids_are_graphs(emu: EmulatorInfo) -> None:
    """The SDK reads Graph's error body (code, message, request ids) and its response headers."""
    client = v1_client(emu, app_credential(emu))

    async def scenario() -> None:
        error = await api_error(lambda: client.users.by_user_id(uid(999)).get())
        assert error.error.inner_error is not None and error.error.inner_error.request_id
        assert error.response_headers.get("request-id") == error.error.inner_error.request_id
        organization_domain = (await client.domains.by_domain_id(DOMAIN).get()).id
        assert organization_domain == DOMAIN and TENANT_ID in emu.authority

    run(scenario)
