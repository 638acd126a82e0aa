"""A local Microsoft Graph for tests and rehearsals: ``mfa-migrate emulator``.

Modules: ``state`` (the tenant, loaded from and dumped to a snapshot), ``router`` + ``routes_*`` (Graph
routes and their rules; ``methods`` holds what the method routes share), ``core`` (dispatch,
permissions, write budget, counters), ``tokens`` + ``devicecode`` (the Entra-like token endpoint msal
talks to; who signs in with a device code), ``app`` (ASGI: Graph, identity), ``admin`` (``/_emulator``),
``testhooks`` (``/_emulator/test``, only with ``--test-hooks``), ``server`` (start, ready file, dump on
exit), ``launcher`` (start it in a subprocess), ``faults``, ``throttle``, ``tls``, ``totp``, ``odata``,
``errors``. See docs/emulator.md for the contract with clients.
"""
