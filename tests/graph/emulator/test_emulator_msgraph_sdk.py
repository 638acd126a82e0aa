"""Microsoft's own Graph SDK (msgraph-sdk + azure-identity, pinned in dev extras) against the emulator."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from analysis.graph.emulator.launcher import EmulatorInfo


def test_sdk_reads_and_writes_through_the_emulator(emu: EmulatorInfo) -> None:
    import httpx
    from azure.identity import ClientSecretCredential
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph.generated.models.authentication_phone_type import AuthenticationPhoneType
    from msgraph.generated.models.phone_authentication_method import PhoneAuthenticationMethod
    from msgraph_core import GraphClientFactory

    host = emu.graph_url.split("://", 1)[1]
    credential = ClientSecretCredential(
        emu.tenant_id,
        emu.client_id,
        emu.client_secret,
        authority=host,
        connection_verify=emu.ca_file,
        disable_instance_discovery=True,
    )
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=["https://graph.microsoft.com/.default"], allowed_hosts=[host, host.split(":")[0]]
    )
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=ssl.create_default_context(cafile=emu.ca_file), trust_env=False)
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = f"{emu.graph_url}/v1.0"
    client = GraphServiceClient(request_adapter=adapter)

    async def scenario() -> None:
        users = await client.users.get()
        assert len(users.value) == 12
        phones = await client.users.by_user_id("u2@fabrikam.example").authentication.phone_methods.get()
        assert {p.phone_type.value for p in phones.value} == {"mobile", "alternateMobile"}
        body = PhoneAuthenticationMethod(
            phone_number="+1 5555550199", phone_type=AuthenticationPhoneType.Mobile
        )
        created = await client.users.by_user_id("u0@fabrikam.example").authentication.phone_methods.post(body)
        assert created.phone_number == "+1 5555550199"
        with pytest.raises(Exception) as refused:
            await client.users.by_user_id("u0@fabrikam.example").authentication.phone_methods.post(body)
        assert refused.value.error.code == "badRequest"

    asyncio.run(scenario())
