"""``/domains`` and ``/domains/{id}/federationConfiguration`` (the MFA cut-over switch).

A domain without a federation configuration answers 404 on ``federationConfiguration`` as Graph
documents (reference/graph-api.md §5.2). PATCH checks the enums and answers 200 with the object (the
beta example; v1.0 is [UNCERTAIN] 200 vs 204, clients must accept both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.common import DOMAIN_READ, FEDERATION_WRITE, body_object, collection
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError, not_found
from analysis.graph.emulator.router import Call, Resp, route

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

HIDDEN = {"federationConfiguration"}
FEDERATION_TYPE = "#microsoft.graph.internalDomainFederation"
ENUMS = {
    "federatedIdpMfaBehavior": {
        "acceptIfMfaDoneByFederatedIdp",
        "enforceMfaByFederatedIdp",
        "rejectMfaByFederatedIdp",
        "unknownFutureValue",
    },
    "preferredAuthenticationProtocol": {"wsFed", "saml", "unknownFutureValue"},
    "promptLoginBehavior": {
        "translateToFreshPasswordAuthentication",
        "nativeSupport",
        "disabled",
        "unknownFutureValue",
    },
}
READ_ONLY = {"id", "@odata.type", "signingCertificateUpdateStatus"}


def _domain(emu: Emulator, ref: str) -> dict[str, Any]:
    domain = emu.state.domains.get(ref.lower())
    if domain is None:
        raise not_found(ref)
    return domain


def _render(domain: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in domain.items() if key not in HIDDEN}


def _configs(domain: dict[str, Any]) -> list[dict[str, Any]]:
    configs = domain.get("federationConfiguration")
    return configs if isinstance(configs, list) else []


@route("GET", "/domains", DOMAIN_READ)
def list_domains(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return collection(emu, call, list(emu.state.domains.values()), _render, "domains")


@route("GET", "/domains/{domain}", DOMAIN_READ)
def get_domain(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    domain = _domain(emu, params["domain"])
    return Resp(200, {"@odata.context": emu.context(call, "domains/$entity"), **_render(domain)})


@route("GET", "/domains/{domain}/federationConfiguration", DOMAIN_READ)
def list_federation(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    domain = _domain(emu, params["domain"])
    configs = _configs(domain)
    if not configs:
        raise not_found(f"{domain['id']}/federationConfiguration")
    context = f"domains('{domain['id']}')/federationConfiguration"
    return Resp(200, {"@odata.context": emu.context(call, context), "value": configs})


def _config(emu: Emulator, params: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    domain = _domain(emu, params["domain"])
    for config in _configs(domain):
        if str(config.get("id", "")).lower() == params["config"].lower():
            return domain, config
    raise not_found(params["config"])


@route("GET", "/domains/{domain}/federationConfiguration/{config}", DOMAIN_READ)
def get_federation(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    domain, config = _config(emu, params)
    context = f"domains('{domain['id']}')/federationConfiguration/$entity"
    return Resp(200, {"@odata.context": emu.context(call, context), **config})


@route("PATCH", "/domains/{domain}/federationConfiguration/{config}", FEDERATION_WRITE)
def update_federation(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    domain, config = _config(emu, params)
    body = body_object(call)
    for key, value in body.items():
        if key in READ_ONLY:
            if key == "@odata.type" and value == FEDERATION_TYPE:
                continue
            raise GraphError(400, BAD_REQUEST, f"Property '{key}' is read-only and cannot be set.")
        allowed = ENUMS.get(key)
        if allowed is not None and value not in allowed:
            raise GraphError(400, BAD_REQUEST, f"Invalid value '{value}' for property '{key}'.")
    config.update({key: value for key, value in body.items() if key != "@odata.type"})
    context = f"domains('{domain['id']}')/federationConfiguration/$entity"
    return Resp(200, {"@odata.context": emu.context(call, context), **config})
