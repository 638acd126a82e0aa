"""Microsoft Graph's names and fixed ids that the product reads and writes, in one place.

These are Graph's own spellings (``@odata.type`` values, ``phoneType`` values, the ids Graph gives the
methods every user has at most one of), so a typo here is a bug everywhere at once and nowhere else.
The local emulator (:mod:`analysis.graph.emulator`) keeps its own copies on purpose: a fake Graph that
shared the client's constants would agree with a wrong client.
"""

from __future__ import annotations

_NS = "#microsoft.graph."

# ------------------------------------------------------------------------------------ directory objects
USER_TYPE = _NS + "user"
GROUP_TYPE = _NS + "group"
CONTACT_TYPE = _NS + "orgContact"
INTERNAL_DOMAIN_FEDERATION_TYPE = _NS + "internalDomainFederation"

#: The user properties a tenant snapshot keeps (``$select`` of ``/users``; users.jsonl's fields).
USER_FIELDS: tuple[str, ...] = (
    "id",
    "userPrincipalName",
    "displayName",
    "accountEnabled",
    "userType",
    "mail",
    "onPremisesSyncEnabled",
    "onPremisesSecurityIdentifier",
    "onPremisesSamAccountName",
    "onPremisesImmutableId",
    "employeeId",
)

# ------------------------------------------------------------------------------------ authentication methods
PASSWORD_METHOD = _NS + "passwordAuthenticationMethod"
PHONE_METHOD = _NS + "phoneAuthenticationMethod"
EMAIL_METHOD = _NS + "emailAuthenticationMethod"
AUTHENTICATOR_METHOD = _NS + "microsoftAuthenticatorAuthenticationMethod"
SOFTWARE_OATH_METHOD = _NS + "softwareOathAuthenticationMethod"
HARDWARE_OATH_METHOD = _NS + "hardwareOathAuthenticationMethod"
FIDO2_METHOD = _NS + "fido2AuthenticationMethod"
WINDOWS_HELLO_METHOD = _NS + "windowsHelloForBusinessAuthenticationMethod"
TAP_METHOD = _NS + "temporaryAccessPassAuthenticationMethod"
#: A token in the tenant's hardware OATH inventory (beta ``authenticationMethodDevices``).
HARDWARE_OATH_DEVICE = _NS + "hardwareOathTokenAuthenticationMethodDevice"

#: Graph's ``phoneType`` values, in the order the executor writes them.
PHONE_TYPES: tuple[str, ...] = ("mobile", "alternateMobile", "office")
#: The ids Graph gives the three phone methods (the same in every tenant).
PHONE_METHOD_IDS: dict[str, str] = {
    "mobile": "3179e48a-750b-4051-897c-87b9720928f7",
    "alternateMobile": "b6332ec1-7057-4abe-9331-3d72feddfe41",
    "office": "e37fc753-ff3b-4958-9484-eaa9425c82bc",
}
#: The id Graph gives every user's password method, and the email method.
PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490"
EMAIL_METHOD_ID = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"

# ------------------------------------------------------------------------------------ methods policy
#: Authentication method configuration ids in the methods policy (``authenticationMethodConfigurations``).
MICROSOFT_AUTHENTICATOR = "MicrosoftAuthenticator"
SMS = "Sms"
VOICE = "Voice"
SOFTWARE_OATH = "SoftwareOath"
HARDWARE_OATH = "HardwareOath"
FIDO2 = "Fido2"
TEMPORARY_ACCESS_PASS = "TemporaryAccessPass"
EMAIL = "Email"


def configuration_type(config_id: str) -> str:
    """``@odata.type`` of a method configuration (``"Sms"`` → ``...smsAuthenticationMethodConfiguration``)."""
    return f"{_NS}{config_id[0].lower()}{config_id[1:]}AuthenticationMethodConfiguration"


#: Values of ``signInPreferences.userPreferredMethodForSecondaryAuthentication`` the plan sets, most
#: secure first.
PREFERRED_METHODS: tuple[str, ...] = (
    "push",
    "oath",
    "sms",
    "voiceMobile",
    "voiceAlternateMobile",
    "voiceOffice",
)
