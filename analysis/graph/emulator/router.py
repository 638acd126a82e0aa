"""Graph routes as data: one table that both plain HTTP requests and ``$batch`` items go through.

Routes are registered by the ``routes_*`` modules with :func:`route`. A route names its HTTP method, a
path pattern (``{name}`` captures one segment), the permissions that allow it and the API versions that
have it. Graph's path segments are case-insensitive, and so are the patterns here. A path no pattern
matches is Graph's ``400 BadRequest`` "Resource not found for the segment"; a known path with another
verb is ``405``; a beta-only path under ``/v1.0`` is unknown, as it is on Graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.errors import SEGMENT_NOT_FOUND, GraphError, method_not_allowed

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator
    from analysis.graph.emulator.tokens import Claims

BOTH = frozenset({"v1.0", "beta"})
BETA = frozenset({"beta"})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True)
class Perm:
    """Permissions that allow a route: any one of ``app`` roles, or any one of ``delegated`` scopes.

    An empty ``app`` means Graph does not support application permissions for the route (staged
    rollout). The first name in each tuple is the least-privileged one; it is named in 403 messages.
    """

    app: tuple[str, ...]
    delegated: tuple[str, ...]


@dataclass
class Call:
    """One Graph request, from the wire or from a ``$batch`` item."""

    method: str
    version: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    claims: Claims | None
    request_id: str
    client_request_id: str
    in_batch: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def advanced(self) -> bool:
        """Advanced query parameters sent: ``ConsistencyLevel: eventual`` and ``$count=true``."""
        return (self.header("consistencylevel") or "").strip().lower() == "eventual" and (
            self.query.get("$count", "").lower() == "true"
        )

    def prefers(self, token: str) -> bool:
        values = ",".join(v for k, v in self.headers.items() if k == "prefer")
        return token.lower() in [part.strip().lower() for part in values.split(",")]

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


@dataclass
class Resp:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Emulator", Call, dict[str, str]], Resp]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    perm: Perm | None
    versions: frozenset[str]


ROUTES: list[Route] = []


def _compile(template: str) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{\w+\})", template):
        if part.startswith("{") and part.endswith("}"):
            regex += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(regex, re.IGNORECASE)


def route(
    method: str, template: str, perm: Perm | None, versions: frozenset[str] = BOTH
) -> Callable[[Handler], Handler]:
    """Register a handler for ``method template`` (template relative to ``/v1.0`` or ``/beta``)."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, template, _compile(template), handler, perm, versions))
        return handler

    return register


_PAREN_KEY = re.compile(r"^/(users|groups|domains)\('((?:[^']|'')*)'\)", re.IGNORECASE)
# An OData cast may use the namespace alias: ``.../graph.user`` is ``.../microsoft.graph.user``
# (Microsoft's Python SDK sends the short form).
_SHORT_CAST = re.compile(r"/graph\.([A-Za-z]\w*)(?=/|$)")


def normalise_path(path: str) -> str:
    """``/users('a@b.com')/x`` → ``/users/a@b.com/x``; ``/graph.user`` → ``/microsoft.graph.user``;
    trailing slashes dropped."""
    match = _PAREN_KEY.match(path)
    if match:
        key = match.group(2).replace("''", "'")
        path = f"/{match.group(1)}/{key}{path[match.end() :]}"
    path = _SHORT_CAST.sub(r"/microsoft.graph.\1", path)
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def resolve(method: str, version: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for a request, or Graph's 400/405."""
    path_matched = False
    for candidate in ROUTES:
        if version not in candidate.versions:
            continue
        match = candidate.pattern.fullmatch(path)
        if not match:
            continue
        if candidate.method == method:
            return candidate, match.groupdict()
        path_matched = True
    if path_matched:
        raise method_not_allowed()
    segments = [segment for segment in path.split("/") if segment]
    raise GraphError(
        400, SEGMENT_NOT_FOUND, f"Resource not found for the segment '{segments[-1] if segments else ''}'."
    )
