"""Microsoft's Graph SDK pointed at the emulator the way a tenant's own script would be.

A script written for ``graph.microsoft.com`` builds ``GraphServiceClient(credentials, scopes)``.
Against the emulator four things differ, and nothing else:

1. the credential's ``authority`` is the emulator's host (and instance discovery is off: it needs the
   internet), with ``connection_verify`` = the emulator's CA file;
2. the auth provider's ``allowed_hosts`` is the emulator's host name (the SDK attaches tokens only to
   hosts it knows, compared without the port);
3. the httpx client trusts the emulator's CA through an explicit SSL context, with ``trust_env=False``
   (this environment sets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``; nothing of the system is touched);
4. the request adapter's base URL is the emulator's ``/v1.0`` (or ``/beta``).

Everything else is the SDK's default construction: ``GraphClientFactory``'s default middleware (retry,
redirect, the ``/me`` URL replacement, telemetry), an HTTP/2-capable ``httpx.AsyncClient`` with the
SDK's timeouts, ``GraphRequestAdapter``, and ``azure-identity`` credentials.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import httpx
import msgraph.graph_request_adapter as v1_adapter
import msgraph_beta.graph_request_adapter as beta_adapter
from azure.identity import ClientSecretCredential, DeviceCodeCredential
from kiota_abstractions.api_error import APIError
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphServiceClient
from msgraph_beta import GraphServiceClient as BetaGraphServiceClient
from msgraph_core import APIVersion, GraphClientFactory

from analysis.graph.emulator.launcher import EmulatorInfo

SCOPES = ["https://graph.microsoft.com/.default"]


def host_of(emu: EmulatorInfo) -> str:
    return emu.graph_url.split("://", 1)[1]


def app_credential(emu: EmulatorInfo) -> ClientSecretCredential:
    return ClientSecretCredential(
        emu.tenant_id,
        emu.client_id,
        emu.client_secret,
        authority=host_of(emu),
        connection_verify=emu.ca_file,
        disable_instance_discovery=True,
    )


def device_credential(emu: EmulatorInfo, prompts: list[str]) -> DeviceCodeCredential:
    """A delegated credential by the device-code flow; the emulator approves the code itself."""

    def prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
        prompts.append(user_code)

    return DeviceCodeCredential(
        emu.client_id,
        tenant_id=emu.tenant_id,
        authority=host_of(emu),
        connection_verify=emu.ca_file,
        disable_instance_discovery=True,
        prompt_callback=prompt,
    )


def _http(emu: EmulatorInfo, version: str, options: dict[str, Any]) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(100, connect=30),  # the SDK's defaults (KiotaClientFactory)
        http2=True,
        verify=ssl.create_default_context(cafile=emu.ca_file),
        trust_env=False,
    )
    api = APIVersion.beta if version == "beta" else APIVersion.v1
    return GraphClientFactory.create_with_default_middleware(api_version=api, client=client, options=options)


def _auth(emu: EmulatorInfo, credential: Any) -> AzureIdentityAuthenticationProvider:
    return AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=["127.0.0.1"])


def v1_client(emu: EmulatorInfo, credential: Any) -> GraphServiceClient:
    adapter = v1_adapter.GraphRequestAdapter(
        _auth(emu, credential), client=_http(emu, "v1.0", v1_adapter.options)
    )
    adapter.base_url = f"{emu.graph_url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def beta_client(emu: EmulatorInfo, credential: Any) -> BetaGraphServiceClient:
    adapter = beta_adapter.GraphRequestAdapter(
        _auth(emu, credential), client=_http(emu, "beta", beta_adapter.options)
    )
    adapter.base_url = f"{emu.graph_url}/beta"
    return BetaGraphServiceClient(request_adapter=adapter)


async def api_error(call: Callable[[], Any]) -> APIError:
    """The SDK's APIError for a call Graph refuses (fails the test if the call succeeds)."""
    try:
        await call()
    except APIError as error:
        return error
    raise AssertionError("the call succeeded but Graph would refuse it")


def unknown_properties(obj: Any) -> dict[str, Any]:
    """Properties the SDK's model does not know (annotations aside): an emulator shape Graph lacks."""
    extra = getattr(obj, "additional_data", None) or {}
    return {key: value for key, value in extra.items() if not key.startswith("@")}
