"""What-if settings for the simulator (docs/simulate.md): what to migrate, how to match, which users.

Settings come from an optional TOML file, from the dashboard's form (a plain dict), or the defaults.
Every key is validated up front so a typo never silently changes a plan: an unknown key, method, mode
or step, or a bad limit, is a :class:`~analysis.errors.UserError` naming the key. A partial file is
fine: each missing key takes its default (docs/simulate.md).

The *selection signature* (docs/simulate.md) is what the Migration Utility remembers at each migration; a
user whose recorded signature differs from the current one is migrated again even if unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import UserError

#: Items that can be migrated, in the order the selection signature lists them.
METHODS: tuple[str, ...] = ("phone", "backup_phone", "mobile_app", "oath_token")
#: Default-method modes (docs/simulate.md); ``never`` leaves the default method alone.
DEFAULT_MODES: tuple[str, ...] = ("always", "if_unset", "most_secure_if_unset", "never")
#: User-match steps (docs/simulate.md).
MATCH_STEPS: tuple[str, ...] = ("upn", "sid", "attribute")
#: MFA Server fields the ``attribute`` step can read; ``account`` is the username without
#: a ``DOMAIN\\`` prefix or an ``@suffix``.
MFA_FIELDS: tuple[str, ...] = ("username", "email", "object_sid", "account")
#: Entra user properties the ``attribute`` step can compare with (Graph's names).
ENTRA_PROPERTIES: tuple[str, ...] = (
    "userPrincipalName",
    "mail",
    "onPremisesSamAccountName",
    "employeeId",
    "onPremisesImmutableId",
)
#: Bounds for ``limits.device_limit``. Entra's real limit is 5; 0 is a legitimate what-if ("nothing
#: new fits"), anything above 100 is surely a typo.
DEVICE_LIMIT_RANGE = (0, 100)

#: The what-if sections of the settings file and their keys.
SECTIONS: dict[str, tuple[str, ...]] = {
    "migrate": ("methods", "default_method"),
    "match": ("order", "attribute"),
    "scope": ("group", "only_changed", "skip_disabled"),
    "limits": ("device_limit",),
}


@dataclass(frozen=True)
class Settings:
    """One set of what-if settings: :meth:`default`, :meth:`from_dict`, or a file (``settingsfile.read``)."""

    methods: tuple[str, ...] = METHODS
    default_method: str = "always"
    match_order: tuple[str, ...] = MATCH_STEPS
    attribute_mfa: str = "email"
    attribute_entra: str = "mail"
    group: str = ""
    only_changed: bool = True
    skip_disabled: bool = True
    device_limit: int = 5
    #: Where these settings came from, for error messages and the CLI summary (not part of equality).
    source: str = field(default="defaults", compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def default(cls) -> Settings:
        """The Migration Utility's defaults (docs/simulate.md lists them)."""
        return cls()

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "settings") -> Settings:
        """Validate a nested dict shaped like the TOML file (``{"migrate": {...}, ...}``).

        Missing sections and keys take their defaults; anything unknown or ill-typed is a UserError
        that names the key (``migrate.default_method``) and the allowed values.
        """
        where = f"in {source}" if source else ""
        if not isinstance(data, dict):
            raise UserError(f"settings {where} must be a table of sections {sorted(SECTIONS)}")
        check_sections(data, tuple(SECTIONS), where)
        for name, section in data.items():
            for key in section:
                if key not in SECTIONS[name]:
                    raise UserError(
                        f"unknown settings key '{name}.{key}' {where}; "
                        f"known keys in [{name}]: {', '.join(SECTIONS[name])}"
                    )
        d = cls()
        mig, match, scope, limits = (data.get(s, {}) for s in ("migrate", "match", "scope", "limits"))

        methods = _choices(mig, "methods", METHODS, d.methods, "migrate", where)
        mode = _choice(mig, "default_method", DEFAULT_MODES, d.default_method, "migrate", where)
        order = _choices(match, "order", MATCH_STEPS, d.match_order, "match", where)

        attr_mfa, attr_entra = d.attribute_mfa, d.attribute_entra
        if "attribute" in match:
            attr = match["attribute"]
            if not isinstance(attr, dict):
                raise UserError(
                    f"settings key 'match.attribute' {where} must be a table like "
                    '{ mfa = "email", entra = "mail" }'
                )
            for key in attr:
                if key not in ("mfa", "entra"):
                    raise UserError(
                        f"unknown settings key 'match.attribute.{key}' {where}; known keys: mfa, entra"
                    )
            attr_mfa = _choice(attr, "mfa", MFA_FIELDS, attr_mfa, "match.attribute", where)
            attr_entra = _choice(attr, "entra", ENTRA_PROPERTIES, attr_entra, "match.attribute", where)

        group = scope.get("group", d.group)
        if not isinstance(group, str):
            raise UserError(
                f"settings key 'scope.group' {where} must be a string (a group name or id, or \"\")"
            )
        if group and not group.strip():
            raise UserError(
                f"settings key 'scope.group' {where} is blank; "
                'use "" for every matched user or give a group name or id'
            )
        only_changed = _flag(scope, "only_changed", d.only_changed, where)
        skip_disabled = _flag(scope, "skip_disabled", d.skip_disabled, where)

        limit = whole_number(limits, "limits.device_limit", d.device_limit, DEVICE_LIMIT_RANGE, where)
        return cls(
            methods=methods,
            default_method=mode,
            match_order=order,
            attribute_mfa=attr_mfa,
            attribute_entra=attr_entra,
            group=group,
            only_changed=only_changed,
            skip_disabled=skip_disabled,
            device_limit=limit,
            source=source,
        )

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """The nested TOML-shaped dict; ``Settings.from_dict(s.to_dict()) == s``."""
        return {
            "migrate": {"methods": list(self.methods), "default_method": self.default_method},
            "match": {
                "order": list(self.match_order),
                "attribute": {"mfa": self.attribute_mfa, "entra": self.attribute_entra},
            },
            "scope": {
                "group": self.group,
                "only_changed": self.only_changed,
                "skip_disabled": self.skip_disabled,
            },
            "limits": {"device_limit": self.device_limit},
        }

    def to_toml(self) -> str:
        """The settings as a TOML file (so the dashboard can save what the admin chose)."""

        def val(v: Any) -> str:
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, int):
                return str(v)
            if isinstance(v, list):
                return "[" + ", ".join(val(x) for x in v) + "]"
            if isinstance(v, dict):
                return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
            return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines: list[str] = []
        for section, keys in self.to_dict().items():
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {val(v)}" for k, v in keys.items())
        return "\n".join(lines) + "\n"

    def fingerprint(self) -> str:
        """Lower-case hex SHA-256 of :meth:`to_toml`: what a plan and a batch record of the settings."""
        return hashlib.sha256(self.to_toml().encode("utf-8")).hexdigest()

    def signature(self) -> str:
        """The selection signature (docs/simulate.md).

        For example ``phone,backup_phone,mobile_app,oath_token,default_method;always``.

        Items in the fixed order phone, backup_phone, mobile_app, oath_token, then ``default_method``
        unless the mode is ``never``; joined by commas, then ``;`` and the mode.
        """
        items = [m for m in METHODS if m in self.methods]
        if self.default_method != "never":
            items.append("default_method")
        return ",".join(items) + ";" + self.default_method

    def describe(self) -> str:
        """One line for summaries: the signature plus the non-default choices that shape the plan."""
        parts = [self.signature(), "match " + (">".join(self.match_order) or "(none)")]
        if "attribute" in self.match_order:
            parts[-1] += f" ({self.attribute_mfa}={self.attribute_entra})"
        parts.append(f"group {self.group!r}" if self.group else "all matched users")
        parts.append("only changed" if self.only_changed else "all users")
        if not self.skip_disabled:
            parts.append("disabled included")
        parts.append(f"device limit {self.device_limit}")
        return "; ".join(parts)


def check_sections(data: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    """Every top-level name is a known section and a table; the error lists the known ones."""
    for name, section in data.items():
        if name not in known:
            raise UserError(f"unknown settings section '{name}' {where}; known sections: {', '.join(known)}")
        if not isinstance(section, dict):
            raise UserError(
                f"settings '{name}' {where} must be a table ([{name}]), not {type(section).__name__}"
            )


def known_keys(section: dict[str, Any], name: str, known: tuple[str, ...] | set[str], source: str) -> None:
    """Refuse a key of the ``[name]`` table that is not in ``known``, naming the key and the known ones."""
    for key in section:
        if key not in known:
            raise UserError(
                f"unknown settings key '{name}.{key}' in {source}; known keys in [{name}]: "
                + ", ".join(sorted(known) if isinstance(known, set) else known)
            )


def whole_number(section: dict[str, Any], key: str, default: int, bounds: tuple[int, int], where: str) -> int:
    """``section[key]`` (``key`` is ``"section.name"``) as an int within ``bounds``, else a UserError."""
    value = section.get(key.split(".", 1)[1], default)
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise UserError(
            f"settings key '{key}' {where} must be a whole number from {lo} to {hi}, not {value!r}"
        )
    return value


def _choice(
    section: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, name: str, where: str
) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or value not in allowed:
        raise UserError(f"settings key '{name}.{key}' {where} has {value!r}; allowed: {', '.join(allowed)}")
    return value


def _choices(
    section: dict[str, Any],
    key: str,
    allowed: tuple[str, ...],
    default: tuple[str, ...],
    name: str,
    where: str,
) -> tuple[str, ...]:
    value = section.get(key, list(default))
    if not isinstance(value, list):
        raise UserError(
            f"settings key '{name}.{key}' {where} must be a list drawn from: {', '.join(allowed)}"
        )
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise UserError(
                f"settings key '{name}.{key}' {where} has unknown entry {item!r}; "
                f"allowed: {', '.join(allowed)}"
            )
    if len(set(value)) != len(value):
        dup = next(v for v in value if value.count(v) > 1)
        raise UserError(f"settings key '{name}.{key}' {where} lists {dup!r} twice; list each entry once")
    return tuple(value)


def _flag(section: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise UserError(f"settings key 'scope.{key}' {where} must be true or false, not {value!r}")
    return value
