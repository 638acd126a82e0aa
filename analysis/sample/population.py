"""The random part of the sample: MFA Server users and their Entra counterparts, built column-wise.

Every decision is a vectorised draw over all users at once (numpy for numbers and masks, arrow for
strings), so a million users take seconds. The proportions are chosen to look like a real MFA Server
estate: mostly valid numbers typed in many ways, some extensions and backup phones, one or two
Authenticator devices per app user, a few hardware tokens, a tenth already migrated, a few percent
disabled, unmatched or without a phone.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.sample.columns import Population
from analysis.sample.draw_entra import EntraDraw, extra_entra_users
from analysis.sample.numbers import Template

__all__ = ["Population", "build"]


def build(
    seed: int,
    n: int,
    templates: Sequence[Template],
    first_user_id: int,
    first_device_id: int,
    domain_sid: dict[str, str],
) -> Population:
    """``n`` random MFA Server users (ids from ``first_user_id``) and their Entra side."""
    draw = EntraDraw(seed, n, templates, first_user_id, first_device_id, domain_sid)
    if n == 0:  # only the scenario users: just the tenant's own extra users
        extra_entra_users(draw, 12)
        return draw.pop
    draw.people()
    draw.phones()
    draw.settings()
    draw.write_users()
    draw.devices()
    draw.entra()
    draw.entra_methods()
    extra_entra_users(draw, max(12, n // 25))
    return draw.pop
