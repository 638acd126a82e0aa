"""A plain per-user Python reading of DESIGN §4, written from the text (not from the SQL), to check the
SQL simulator against. Test and benchmark code only: it loops over users in Python, which is exactly
what the product must not do.

``Reference(con).plan(settings)`` reads the workspace tables and returns plan rows as tuples
``(user_id, entra_id, username, upn, item, ref, action, value, writable)`` in plan order (reasons are
prose and not compared).

Phones: with ``phones="parse"`` (tests) every MFA Server and Entra number is parsed here with
``analysis.sources.phones.parse_phone`` (the single-number parser DESIGN §4.3 names: phonenumbers in the
region of the country code), so the bulk parse done at load time is checked too. With
``phones="table"`` (benchmark) the parsed numbers are read from ``mfa_phones`` and
``entra_methods.phone_e164/phone_extension``, the same input the SQL simulator reads.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from analysis.simulate.settings import Settings
from analysis.sources.phones import parse_phone

WS = " \t\n\r\x0b\x0c"
Row = tuple[Any, ...]

# DESIGN §4.8: who can carry out each action.
WRITABLE = {
    "write_mobile": "graph",
    "write_mobile_drop_extension": "graph",
    "write_office": "graph",
    "write_alternate": "graph",
    "create_hardware_oath": "graph",
    "set_default": "graph",
    "set_default_fallback": "graph",
    "create_device": "utility",
    "update_device": "utility",
    "create_software_oath": "utility",
    "update_oath": "utility",
}
MOST_SECURE = ("push", "oath", "sms", "voiceMobile", "voiceAlternateMobile", "voiceOffice")
MAPPING = {"text_message": "sms", "mobile_app": "push", "oath_token": "oath"}


def present(v: str | None) -> bool:
    return v is not None and v.strip(WS) != ""


def clean(v: str | None) -> str | None:
    return v if present(v) else None


def trimmed(v: str | None) -> str | None:
    return v.strip(WS) if v is not None and present(v) else None


def low(v: str | None) -> str | None:
    return v.lower() if v is not None and present(v) else None


@dataclass
class Number:
    valid: bool
    e164: str | None
    graph: str | None


def _fetch(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cur = con.execute(query)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


class Reference:
    """Loads the workspace once; :meth:`plan` evaluates any settings over it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, phones: str = "parse") -> None:
        assert phones in ("parse", "table")
        self.phones_mode = phones
        self.users = _fetch(con, "SELECT * FROM mfa_users ORDER BY user_id")
        self.devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for d in _fetch(con, "SELECT * FROM mfa_devices"):
            self.devices[d["user_id"]].append(d)
        self.mfa_phones: dict[tuple[int, str], dict[str, Any]] = {}
        if phones == "table":
            for p in _fetch(con, "SELECT * FROM mfa_phones"):
                self.mfa_phones[(p["user_id"], p["slot"])] = p
        self.entra = {e["id"]: e for e in _fetch(con, "SELECT * FROM entra_users")}
        self.methods: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in _fetch(
            con,
            "SELECT user_id, method_id, kind, phone_type, phone_number, phone_e164, phone_extension"
            " FROM entra_methods",
        ):
            self.methods[m["user_id"]].append(m)
        self.groups = _fetch(con, "SELECT id, display_name FROM entra_groups")
        self.transitive: dict[str, set[str]] = defaultdict(set)
        for g, u in con.execute("SELECT group_id, user_id FROM entra_group_transitive_users").fetchall():
            self.transitive[g].add(u)
        info = con.execute("SELECT has_methods_policy FROM tenant_info").fetchall()
        self.has_policy = any(r[0] for r in info)
        self.configs = _fetch(
            con, "SELECT config_id, state, is_office_phone_allowed FROM entra_method_configs"
        )
        self.ledger: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in _fetch(con, "SELECT * FROM entra_ledger"):
            self.ledger[entry["user_id"]].append(entry)
        self.marks = {m["username"]: m for m in _fetch(con, "SELECT * FROM migration_marks")}

    # ------------------------------------------------------------------ numbers
    def _mfa_number(self, user: dict[str, Any], slot: str) -> Number:
        if self.phones_mode == "table":
            p = self.mfa_phones.get((user["user_id"], slot))
            if p is None:
                return Number(False, None, None)
            return Number(bool(p["valid"]), p["e164"], p["graph_number"])
        cc, num = (
            (user["country_code"], user["phone"])
            if slot == "phone"
            else (user["backup_country_code"], user["backup_phone"])
        )
        parsed = parse_phone(cc, num)
        return Number(parsed.valid, parsed.e164, parsed.graph_number)

    def _entra_phone(self, m: dict[str, Any]) -> tuple[str | None, str | None]:
        """(E.164 of the number part, extension) of an Entra phone: phoneNumber split at 'x'."""
        if self.phones_mode == "table":
            return m["phone_e164"], trimmed(m["phone_extension"])
        text = m["phone_number"] or ""
        at = text.lower().find("x")
        number, ext = (text[:at], text[at + 1 :]) if at >= 0 else (text, None)
        parsed = parse_phone(None, number)
        e164 = f"+{parsed.country_code}{parsed.national_number}" if parsed.country_code is not None else None
        return e164, trimmed(ext)

    # ------------------------------------------------------------------ the plan
    def plan(self, settings: Settings) -> list[Row]:
        matches = self._match(settings)
        single = Counter(hits[0] for hits in matches.values() if len(hits) == 1)
        members: set[str] = set()
        if settings.group:
            for g in self.groups:
                if g["id"] == settings.group or g["display_name"] == settings.group:
                    members |= self.transitive.get(g["id"], set())
        out: list[Row] = []
        for user in self.users:
            hits = matches.get(user["user_id"])
            entra_id = hits[0] if hits and len(hits) == 1 else None
            upn = self.entra[entra_id]["user_principal_name"] if entra_id else None
            action = self._user_action(user, hits, single, members, settings)
            base = (user["user_id"], entra_id, user["username"], upn)
            out.append((*base, "user", None, action, None, "none"))
            if action == "migrate":
                assert entra_id is not None
                for item, ref, act, value in self._methods(user, entra_id, settings):
                    out.append((*base, item, ref, act, value, WRITABLE.get(act, "none")))
        return out

    # users -------------------------------------------------------------
    def _match(self, s: Settings) -> dict[int, list[str]]:
        """user_id -> the Entra ids the deciding step found (absent: no step found any)."""
        index: dict[str, dict[str, set[str]]] = {
            "upn": defaultdict(set),
            "sid": defaultdict(set),
            "attribute": defaultdict(set),
        }
        prop = {
            "userPrincipalName": "user_principal_name",
            "mail": "mail",
            "onPremisesSamAccountName": "on_premises_sam_account_name",
            "employeeId": "employee_id",
            "onPremisesImmutableId": "on_premises_immutable_id",
        }[s.attribute_entra]
        for e in self.entra.values():
            if present(e["user_principal_name"]):
                index["upn"][e["user_principal_name"].lower()].add(e["id"])
            if present(e["on_premises_security_identifier"]):
                index["sid"][e["on_premises_security_identifier"]].add(e["id"])
            if present(e[prop]):
                index["attribute"][e[prop].strip(WS).lower()].add(e["id"])
        found: dict[int, list[str]] = {}
        for u in self.users:
            for step in s.match_order:
                key = self._mfa_key(u, step, s)
                ids = index[step].get(key) if key is not None else None
                if ids:
                    found[u["user_id"]] = sorted(ids)
                    break
        return found

    @staticmethod
    def _mfa_key(u: dict[str, Any], step: str, s: Settings) -> str | None:
        if step == "upn":
            return u["username"].lower() if present(u["username"]) else None
        if step == "sid":
            return u["object_sid"] if present(u["object_sid"]) else None
        if s.attribute_mfa == "account":
            value: str | None = u["username"]
            if value is not None:
                if "\\" in value:
                    value = value.split("\\", 1)[1]
                value = value.split("@", 1)[0]
        else:
            value = u[s.attribute_mfa]
        return value.strip(WS).lower() if value is not None and present(value) else None

    def _user_action(
        self,
        user: dict[str, Any],
        hits: list[str] | None,
        single: Counter[str],
        members: set[str],
        s: Settings,
    ) -> str:
        if not hits:
            return "unmatched"
        if len(hits) > 1:
            return "ambiguous"
        if single[hits[0]] > 1:
            return "ambiguous"
        if s.skip_disabled and not user["enabled"]:
            return "user_disabled"
        if s.group and hits[0] not in members:
            return "out_of_scope"
        if s.only_changed:
            last, selection = user["last_migrated_at"], user["migrated_selection"]
            mark = self.marks.get(user["username"])
            if (
                mark
                and present(mark["last_migrated_at"])
                and (not present(last) or mark["last_migrated_at"] >= last)
            ):
                last, selection = mark["last_migrated_at"], mark["migrated_selection"]
            if (
                present(last)
                and present(user["modified_at"])
                and user["modified_at"] <= last
                and selection == s.signature()
            ):
                return "unchanged"
        return "migrate"

    # methods -----------------------------------------------------------
    def _methods(
        self, u: dict[str, Any], entra_id: str, s: Settings
    ) -> Iterable[tuple[str, str | None, str, str | None]]:
        methods = self.methods.get(entra_id, [])
        entra_phones = {}
        for m in methods:
            if m["kind"] == "phone":
                entra_phones.setdefault(m["phone_type"], []).append(self._entra_phone(m))

        def already(slot: str, e164: str | None, ext: str | None) -> bool:
            return any(e == e164 and x == ext for e, x in entra_phones.get(slot, []))

        rows: list[tuple[str, str | None, str, str | None]] = []
        ext, bext = trimmed(u["extension"]), trimmed(u["backup_extension"])
        # (action, slot) of the phone once decided; slot None when nothing is written
        written: dict[str, set[str]] = {"mobile": set(), "alternateMobile": set(), "office": set()}

        phone_action = None
        if "phone" in s.methods and present(u["phone"]):
            n = self._mfa_number(u, "phone")
            slot, wext = None, None
            if not n.valid:
                act = "invalid_number"
            elif ext is not None and not re.fullmatch("[0-9]+", ext):
                act = "invalid_extension"
            elif ext is None:
                act, slot = "write_mobile", "mobile"
            elif u["method"] == "text_message":
                act, slot = "write_mobile_drop_extension", "mobile"
            else:
                act, slot, wext = "write_office", "office", ext
            value = None
            if slot:
                value = f"{n.graph}x{wext}" if wext else n.graph
                if already(slot, n.e164, wext):
                    act = "noop"
                written[slot].add(act)
            phone_action = act
            rows.append(("phone", "phone", act, value))

        if "backup_phone" in s.methods and present(u["backup_phone"]):
            n = self._mfa_number(u, "backup_phone")
            slot, wext = None, None
            entra_mobile = bool(entra_phones.get("mobile"))
            if ext is not None and bext is not None:
                act = "skip_both_extensions"
            elif not n.valid:
                act = "invalid_number"
            elif bext is not None and not re.fullmatch("[0-9]+", bext):
                act = "invalid_extension"
            elif bext is not None:
                act, slot, wext = "write_office", "office", bext
            elif phone_action not in ("write_mobile", "write_mobile_drop_extension") and not entra_mobile:
                act = "fail_alternate_requires_mobile"
            else:
                act, slot = "write_alternate", "alternateMobile"
            value = None
            if slot:
                value = f"{n.graph}x{wext}" if wext else n.graph
                if already(slot, n.e164, wext):
                    act = "noop"
                written[slot].add(act)
            rows.append(("backup_phone", "backup_phone", act, value))

        # devices and slots
        slots = sum(1 for m in methods if m["kind"] in ("authenticator", "software_oath", "hardware_oath"))
        method_ids = {m["method_id"] for m in methods}
        live = [e for e in self.ledger.get(entra_id, []) if e["entra_method_id"] in method_ids]
        ledger_secrets = {low(e["secret_sha256"]) for e in live} - {None}
        ledger_tokens = {low(e["device_token_sha256"]) for e in live} - {None}
        has_token = present(u["oath_serial"])
        device_actions: list[str] = []
        unknown_devices = unknown_token = False
        if "mobile_app" in s.methods:
            if not u["details_known"]:
                unknown_devices = True
                rows.append(("device", None, "unknown", None))
            else:

                def newest_first(d: dict[str, Any]) -> tuple[bool, str, int]:
                    act = clean(d["activated_at"])
                    return (act is not None, act or "", d["device_id"])

                devs = sorted(self.devices.get(u["user_id"], []), key=newest_first, reverse=True)
                seen: set[str] = set()
                decided: dict[int, str] = {}
                kept = []
                for d in devs:
                    name = d["device_name"]
                    key = name.strip(WS).lower() if present(name) else None
                    if key is not None and key in seen:
                        decided[d["device_id"]] = "skip_duplicate_name"
                        continue
                    if key is not None:
                        seen.add(key)
                    kept.append(d)
                cap = 4 if has_token and "oath_token" in s.methods else 5
                for i, d in enumerate(kept):
                    if i >= cap:
                        decided[d["device_id"]] = "skip_over_max"
                    elif low(d["oath_secret_sha256"]) in ledger_secrets:
                        decided[d["device_id"]] = "update_device"
                    else:
                        want = (
                            "create_software_oath"
                            if low(d["device_token_sha256"]) in ledger_tokens
                            else "create_device"
                        )
                        if slots + 1 <= s.device_limit:
                            slots += 1
                            decided[d["device_id"]] = want
                        else:
                            decided[d["device_id"]] = "skip_device_limit"
                for d in devs:
                    device_actions.append(decided[d["device_id"]])
                    rows.append(("device", str(d["device_id"]), decided[d["device_id"]], None))

        token_action = None
        if "oath_token" in s.methods and has_token:
            kind = trimmed(u["oath_kind"])
            if kind is not None and kind.lower() == "hotp":
                token_action = "unsupported_hotp"
            elif not u["details_known"]:
                token_action = "unknown"
                unknown_token = True
            elif not present(u["oath_secret_sha256"]):
                token_action = "missing_secret"
            elif low(u["oath_secret_sha256"]) in ledger_secrets:
                token_action = "update_oath"
            elif slots + 1 <= s.device_limit:
                token_action = "create_hardware_oath"
            else:
                token_action = "skip_device_limit"
            rows.append(("oath_token", u["oath_serial"], token_action, None))

        if s.default_method != "never":
            kinds = {m["kind"] for m in methods}
            push = "authenticator" in kinds or any(
                a in ("create_device", "update_device") for a in device_actions
            )
            oath = (
                bool(kinds & {"software_oath", "hardware_oath"})
                or any(
                    a in ("create_device", "update_device", "create_software_oath") for a in device_actions
                )
                or token_action in ("create_hardware_oath", "update_oath")
            )
            mobile = bool(entra_phones.get("mobile")) or bool(written["mobile"])
            alternate = bool(entra_phones.get("alternateMobile")) or bool(written["alternateMobile"])
            office = bool(entra_phones.get("office")) or bool(written["office"])
            outcomes = {self._default(u, entra_id, s, push, oath, mobile, alternate, office)}
            if unknown_devices or unknown_token:
                outcomes.add(self._default(u, entra_id, s, push, True, mobile, alternate, office))
            if unknown_devices:
                outcomes.add(self._default(u, entra_id, s, True, True, mobile, alternate, office))
            act, value = outcomes.pop() if len(outcomes) == 1 else ("unknown", None)
            rows.append(("default_method", "default_method", act, value))
        return rows

    def _allowed(self, method: str) -> bool:
        if not self.has_policy:
            return True

        def enabled(*ids: str) -> bool:
            return any(
                (c["config_id"] or "").lower() in ids and (c["state"] or "").lower() == "enabled"
                for c in self.configs
            )

        if method == "push":
            return enabled("microsoftauthenticator")
        if method == "oath":
            return enabled("softwareoath", "hardwareoath")
        if method == "sms":
            return enabled("sms")
        if method == "voiceOffice":
            return any(
                (c["config_id"] or "").lower() == "voice"
                and (c["state"] or "").lower() == "enabled"
                and c["is_office_phone_allowed"] is True
                for c in self.configs
            )
        return enabled("voice")

    def _default(
        self,
        u: dict[str, Any],
        entra_id: str,
        s: Settings,
        push: bool,
        oath: bool,
        mobile: bool,
        alternate: bool,
        office: bool,
    ) -> tuple[str, str | None]:
        available = {
            "push": push,
            "oath": oath,
            "sms": mobile,
            "voiceMobile": mobile,
            "voiceAlternateMobile": alternate,
            "voiceOffice": office,
        }
        usable = [m for m in MOST_SECURE if available[m] and self._allowed(m)]
        preferred = clean(self.entra[entra_id]["preferred_method"])
        if s.default_method in ("if_unset", "most_secure_if_unset") and preferred is not None:
            return "keep_default", preferred
        if s.default_method == "most_secure_if_unset":
            act, value = ("set_default", usable[0]) if usable else ("no_default", None)
        else:
            if u["method"] == "phone_call":
                target: str | None = "voiceOffice" if present(u["extension"]) else "voiceMobile"
            else:
                target = MAPPING.get(u["method"])
            if target in usable:
                act, value = "set_default", target
            elif usable:
                act, value = "set_default_fallback", usable[0]
            else:
                act, value = "no_default", None
        if act in ("set_default", "set_default_fallback") and value == preferred:
            return "noop", value
        return act, value
