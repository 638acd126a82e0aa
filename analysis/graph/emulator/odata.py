"""The slice of OData that Graph's directory endpoints accept: ``$filter``, ``$select``, ``$top``, paging.

``$filter`` is parsed into a small tree so the emulator can enforce Graph's *advanced query* rule
(reference/graph-api.md §3.2): some clauses work by default, some only with ``ConsistencyLevel:
eventual`` **and** ``$count=true``, some not at all. Each resource gives a table of
``property -> {operator: DEFAULT | ADVANCED}``; anything missing from it is unsupported.
String comparisons are case-insensitive, as in the directory.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from analysis.graph.emulator.errors import BAD_REQUEST, UNSUPPORTED_QUERY, GraphError

DEFAULT = "default"
ADVANCED = "advanced"

Node = tuple[Any, ...]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<punct>[(),:/])"
    r"|(?P<word>[A-Za-z_$@][A-Za-z0-9_.$@-]*))"
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCS = {"startswith": "startsWith", "endswith": "endsWith"}


def _invalid(text: str) -> GraphError:
    return GraphError(400, BAD_REQUEST, f"Invalid filter clause: {text}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match:
                raise _invalid(f"Syntax error at position {pos} in '{text}'.")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _invalid(f"Unexpected end of '{self.text}'.")
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        _, got = self.take()
        if got.lower() != value:
            raise _invalid(f"Expected '{value}' but found '{got}' in '{self.text}'.")

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].lower() in words

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise _invalid(f"Unexpected '{self.peek()[1]}' in '{self.text}'.")  # type: ignore[index]
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.at_word("or"):
            self.take()
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_unary()
        while self.at_word("and"):
            self.take()
            node = ("and", node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self.at_word("not"):
            self.take()
            return ("not", self.parse_unary())
        return self.parse_primary()

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "word" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "word" and value.lower() == "null":
            return None
        raise _invalid(f"Expected a literal but found '{value}' in '{self.text}'.")

    def parse_primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise _invalid(f"Unexpected end of '{self.text}'.")
        if token[1] == "(":
            self.take()
            node = self.parse_or()
            self.expect(")")
            return node
        kind, word = self.take()
        if kind != "word":
            raise _invalid(f"Unexpected '{word}' in '{self.text}'.")
        if word.lower() in _FUNCS and self.peek() == ("punct", "("):
            self.take()
            _, prop = self.take()
            self.expect(",")
            value = self.literal()
            self.expect(")")
            return ("func", _FUNCS[word.lower()], prop, value)
        prop = word
        if self.peek() == ("punct", "/") and self.peek(1) and self.peek(1)[1].lower() == "any":  # type: ignore[index]
            self.take()
            self.take()
            self.expect("(")
            _, var = self.take()
            self.expect(":")
            if self.at_word(*_FUNCS):
                _, func = self.take()
                self.expect("(")
                self.expect(var.lower())
                self.expect(",")
                value = self.literal()
                self.expect(")")
                op = _FUNCS[func.lower()]
            else:
                self.expect(var.lower())
                _, op = self.take()
                op = op.lower()
                value = self.literal()
            self.expect(")")
            return ("any", prop, op, value)
        _, op = self.take()
        op = op.lower()
        if op == "in":
            self.expect("(")
            values = [self.literal()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self.literal())
            self.expect(")")
            return ("in", prop, values)
        if op not in _COMPARE:
            raise _invalid(f"Unknown operator '{op}' in '{self.text}'.")
        return ("cmp", op, prop, self.literal())


def parse_filter(text: str) -> Node:
    return _Parser(text).parse()


def clauses(node: Node) -> list[tuple[str, str]]:
    """(property, capability key) for every leaf; ``ne``/``not`` add an ``advanced`` marker."""
    kind = node[0]
    if kind in ("and", "or"):
        return clauses(node[1]) + clauses(node[2])
    if kind == "not":
        return [("", "not"), *clauses(node[1])]
    if kind == "cmp":
        _, op, prop, value = node
        if value is None:
            return [(prop, "null")]
        return [(prop, op)]
    if kind == "in":
        return [(node[1], "eq")]
    if kind == "func":
        return [(node[2], node[1])]
    if kind == "any":
        return [(node[1] + "/any", node[2])]
    raise AssertionError(kind)


def check_filter(node: Node, table: Mapping[str, Mapping[str, str]], resource: str, advanced: bool) -> None:
    """Raise Graph's 400 when a clause is unsupported, or needs advanced query parameters not sent."""
    for prop, op in clauses(node):
        if op == "not":
            needs = ADVANCED
        else:
            rules = {k.lower(): v for k, v in table.get(_canonical(prop, table), {}).items()}
            lookup = "eq" if op == "ne" else op.lower()
            needs = rules.get(lookup, "")
            if op == "ne" and needs:
                needs = ADVANCED
        if not needs:
            raise GraphError(
                400,
                UNSUPPORTED_QUERY,
                f"Unsupported or invalid query filter clause specified for property '{prop}' "
                f"of resource '{resource}'.",
            )
        if needs == ADVANCED and not advanced:
            raise GraphError(
                400,
                UNSUPPORTED_QUERY,
                f"Unsupported or invalid query filter clause specified for property '{prop}' "
                f"of resource '{resource}'.",
            )


def _canonical(prop: str, table: Mapping[str, Any]) -> str:
    for key in table:
        if key.lower() == prop.lower():
            return key
    return prop


def _get(obj: Mapping[str, Any], prop: str) -> Any:
    if prop in obj:
        return obj[prop]
    for key, value in obj.items():
        if key.lower() == prop.lower():
            return value
    return None


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _norm(left), _norm(right)
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
    except TypeError:
        return False


def _string_func(op: str, value: Any, arg: Any) -> bool:
    if not isinstance(value, str) or not isinstance(arg, str):
        return False
    if op == "startsWith":
        return value.lower().startswith(arg.lower())
    return value.lower().endswith(arg.lower())


def evaluate(node: Node, obj: Mapping[str, Any]) -> bool:
    kind = node[0]
    if kind == "and":
        return evaluate(node[1], obj) and evaluate(node[2], obj)
    if kind == "or":
        return evaluate(node[1], obj) or evaluate(node[2], obj)
    if kind == "not":
        return not evaluate(node[1], obj)
    if kind == "cmp":
        return _compare(node[1], _get(obj, node[2]), node[3])
    if kind == "in":
        value = _norm(_get(obj, node[1]))
        return any(value == _norm(item) for item in node[2])
    if kind == "func":
        return _string_func(node[1], _get(obj, node[2]), node[3])
    if kind == "any":
        items = _get(obj, node[1]) or []
        op, arg = node[2], node[3]
        if op in ("startsWith", "endsWith"):
            return any(_string_func(op, item, arg) for item in items)
        return any(_compare(op, item, arg) for item in items)
    raise AssertionError(kind)


def make_predicate(node: Node) -> Callable[[Mapping[str, Any]], bool]:
    return lambda obj: evaluate(node, obj)


# ---------------------------------------------------------------------------------- $select


def parse_select(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    return names or None


def project(
    obj: Mapping[str, Any], names: list[str], defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The selected properties, Graph-style: every name present, null when the object lacks it."""
    lowered: dict[str, str] | None = None
    out: dict[str, Any] = {}
    for name in names:
        if name in obj:
            out[name] = obj[name]
            continue
        if lowered is None:  # only for names not spelled as stored (Graph is case-insensitive)
            lowered = {key.lower(): key for key in obj}
        key = lowered.get(name.lower())
        if key is not None:
            out[key] = obj[key]
        else:
            out[name] = (defaults or {}).get(name)
    return out


# ---------------------------------------------------------------------------------- paging


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_offset: int | None


def page_size(query: Mapping[str, str], default: int = 100, maximum: int = 999) -> int:
    raw = query.get("$top")
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        size = -1
    if not 1 <= size <= maximum:
        raise GraphError(
            400,
            BAD_REQUEST,
            f"Invalid page size specified: '{raw}'. Must be between 1 and {maximum} inclusive.",
        )
    return size


def encode_skiptoken(offset: int) -> str:
    """Opaque to clients, as Graph's are; clients must follow ``@odata.nextLink`` verbatim."""
    raw = json.dumps({"o": offset, "v": 1}).encode()
    return "RFNwdAIA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    try:
        if not token.startswith("RFNwdAIA"):
            raise ValueError
        body = token[len("RFNwdAIA") :]
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        offset = int(data["o"])
        if offset < 0:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise GraphError(
            400, BAD_REQUEST, "The specified page token value has expired or is invalid."
        ) from exc


def paginate(items: list[Any], query: Mapping[str, str], default: int = 100, maximum: int = 999) -> Page:
    size = page_size(query, default, maximum)
    token = query.get("$skiptoken")
    offset = decode_skiptoken(token) if token else 0
    chunk = items[offset : offset + size]
    more = offset + size < len(items)
    return Page(chunk, offset + size if more else None)


def next_link(base: str, path: str, query: Mapping[str, str], offset: int) -> str:
    """The full ``@odata.nextLink``: same path and query options plus a new ``$skiptoken``."""
    parts = [
        f"{quote(key, safe='$')}={quote(value, safe=',()/:@$')}"
        for key, value in query.items()
        if key != "$skiptoken"
    ]
    parts.append(f"$skiptoken={encode_skiptoken(offset)}")
    return f"{base}{quote(path, safe='/@()$')}?{'&'.join(parts)}"
