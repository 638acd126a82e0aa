"""Errors a user can act on.

Anything raised as :class:`UserError` is shown as one paragraph (what is wrong, where, what to do)
with exit code 2 and no traceback. Every other exception is a bug in this tool.
"""


class UserError(Exception):
    """A problem with the user's input or environment, explained in plain words."""

    exit_code = 2
