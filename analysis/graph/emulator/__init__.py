"""A local Microsoft Graph for tests and rehearsals: ``mfa-migrate emulator`` (DESIGN §6).

Modules: ``state`` (the tenant, loaded from and dumped to a snapshot), ``router`` + ``routes_*`` (Graph
routes and their rules), ``core`` (dispatch, permissions, write budget, counters), ``tokens`` (the
Entra-like token endpoint msal talks to), ``app`` (ASGI: Graph, identity, admin), ``server`` (start,
ready file, dump on exit), ``launcher`` (start it in a subprocess), ``faults``, ``throttle``, ``tls``,
``totp``, ``odata``, ``errors``. See docs/emulator.md for the contract with clients.
"""
