"""Microsoft's beta Graph SDK (msgraph-beta-sdk) against the emulator: what only beta has.

Default-method preferences (``signInPreferences``), hardware OATH tokens (tenant inventory, assign,
activate with the token's current code, assign-and-activate by serial number, unassign), the beta
methods list that includes hardware tokens, and the authentication methods policy with its HardwareOath
configuration and registration campaign. Client construction as in ``sdk_clients``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from emulator_tenant import upn
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta.generated.models.hardware_oath_authentication_method import HardwareOathAuthenticationMethod
from msgraph_beta.generated.models.hardware_oath_authentication_method_configuration import (
    HardwareOathAuthenticationMethodConfiguration,
)
from msgraph_beta.generated.models.hardware_oath_token_authentication_method_device import (
    HardwareOathTokenAuthenticationMethodDevice,
)
from msgraph_beta.generated.models.hardware_oath_token_hash_function import HardwareOathTokenHashFunction
from msgraph_beta.generated.models.hardware_oath_token_status import HardwareOathTokenStatus
from msgraph_beta.generated.models.identity import Identity
from msgraph_beta.generated.models.sign_in_preferences import SignInPreferences
from msgraph_beta.generated.models.user_default_authentication_method_type import (
    UserDefaultAuthenticationMethodType,
)
from msgraph_beta.generated.users.item.authentication.hardware_oath_methods.assign_and_activate_by_serial_number.assign_and_activate_by_serial_number_post_request_body import (  # noqa: E501
    AssignAndActivateBySerialNumberPostRequestBody,
)
from msgraph_beta.generated.users.item.authentication.hardware_oath_methods.item.activate.activate_post_request_body import (  # noqa: E501
    ActivatePostRequestBody,
)
from sdk_clients import api_error, app_credential, beta_client, unknown_properties

from analysis.graph.emulator import totp
from analysis.graph.emulator.launcher import EmulatorInfo

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
SECRET = "6PJ4UKIW33NNXYZAEHQNFUFTZF7WFTFB"


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def token(serial: str, assign_to: str | None = None) -> HardwareOathTokenAuthenticationMethodDevice:
    return HardwareOathTokenAuthenticationMethodDevice(
        display_name=f"Token {serial}",
        serial_number=serial,
        manufacturer="Contoso",
        model="Hardware Token 1000",
        secret_key=SECRET,
        time_interval_in_seconds=30,
        hash_function=HardwareOathTokenHashFunction.Hmacsha1,
        assign_to=Identity(id=assign_to) if assign_to else None,
    )


def test_sign_in_preferences(emu: EmulatorInfo) -> None:
    client = beta_client(emu, app_credential(emu))
    prefs = client.users.by_user_id(upn(1)).authentication.sign_in_preferences

    async def scenario() -> None:
        current = await prefs.get()
        assert (
            current.user_preferred_method_for_secondary_authentication
            == UserDefaultAuthenticationMethodType.Sms
        )
        assert current.is_system_preferred_authentication_method_enabled is False
        assert not unknown_properties(current)
        await prefs.patch(
            SignInPreferences(
                user_preferred_method_for_secondary_authentication=UserDefaultAuthenticationMethodType.VoiceMobile
            )
        )
        changed = await prefs.get()
        assert (
            changed.user_preferred_method_for_secondary_authentication
            == UserDefaultAuthenticationMethodType.VoiceMobile
        )
        lacking = await api_error(
            lambda: prefs.patch(
                SignInPreferences(
                    user_preferred_method_for_secondary_authentication=UserDefaultAuthenticationMethodType.Push
                )
            )
        )
        assert lacking.response_status_code == 400 and lacking.error.code == "badRequest"

    run(scenario)


def test_hardware_oath_inventory_assign_activate_unassign(emu: EmulatorInfo) -> None:
    client = beta_client(emu, app_credential(emu))
    inventory = client.directory.authentication_method_devices.hardware_oath_devices
    tokens = client.users.by_user_id(upn(10)).authentication.hardware_oath_methods

    async def scenario() -> None:
        device = await inventory.post(token("SDK-0001"))
        assert device.secret_key is None and device.status == HardwareOathTokenStatus.Available
        assert device.hash_function == HardwareOathTokenHashFunction.Hmacsha1
        duplicate = await api_error(lambda: inventory.post(token("SDK-0001")))
        assert duplicate.response_status_code == 409

        method = await tokens.post(
            HardwareOathAuthenticationMethod(device=HardwareOathTokenAuthenticationMethodDevice(id=device.id))
        )
        assert method.id == device.id and not unknown_properties(method)
        item = tokens.by_hardware_oath_authentication_method_id(method.id)
        wrong = str((int(totp.totp(SECRET, 30)) + 1) % 1_000_000).zfill(6)
        refused = await api_error(
            lambda: item.activate.post(ActivatePostRequestBody(verification_code=wrong))
        )
        assert refused.response_status_code == 400
        code = totp.totp(SECRET, 30, "hmacsha1", at=time.time())
        await item.activate.post(ActivatePostRequestBody(verification_code=code, display_name="Fob"))

        expand: RequestConfiguration[Any] = RequestConfiguration(
            query_parameters=tokens.HardwareOathMethodsRequestBuilderGetQueryParameters(expand=["device"])
        )
        listed = (await tokens.get(request_configuration=expand)).value
        assert [m.device.serial_number for m in listed] == ["SDK-0001"]
        assert listed[0].device.status == HardwareOathTokenStatus.Activated
        assert listed[0].device.display_name == "Fob" and listed[0].device.secret_key is None
        every = (await client.users.by_user_id(upn(10)).authentication.methods.get()).value
        assert any(isinstance(m, HardwareOathAuthenticationMethod) for m in every)

        await item.delete()
        assert (
            await inventory.by_hardware_oath_token_authentication_method_device_id(device.id).get()
        ).status == (HardwareOathTokenStatus.Available)
        await tokens.assign_and_activate_by_serial_number.post(
            AssignAndActivateBySerialNumberPostRequestBody(
                verification_code=totp.totp(SECRET, 30, "hmacsha1", at=time.time()), serial_number="SDK-0001"
            )
        )
        assert [m.id for m in (await tokens.get()).value] == [device.id]

    run(scenario)


def test_methods_policy_with_hardware_oath_and_registration_campaign(emu: EmulatorInfo) -> None:
    client = beta_client(emu, app_credential(emu))

    async def scenario() -> None:
        policy = await client.policies.authentication_methods_policy.get()
        campaign = policy.registration_enforcement.authentication_methods_registration_campaign
        assert campaign.state.value == "default" and campaign.snooze_duration_in_days == 1
        assert [t.targeted_authentication_method for t in campaign.include_targets] == [
            "microsoftAuthenticator"
        ]
        ids = {c.id for c in policy.authentication_method_configurations}
        assert {"Sms", "Voice", "TemporaryAccessPass"} <= ids
        configs = client.policies.authentication_methods_policy.authentication_method_configurations
        hardware = await configs.by_authentication_method_configuration_id("HardwareOath").get()
        assert isinstance(hardware, HardwareOathAuthenticationMethodConfiguration)
        assert hardware.state.value == "enabled"

    run(scenario)
