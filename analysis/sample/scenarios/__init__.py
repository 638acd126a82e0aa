"""Hand-made users that put every branch of the sync rules (docs/simulate.md) into the sample.

The random population makes the data realistic; these users make it complete. Each scenario is a
small story (a duplicate device name, a backup phone that Graph would refuse, a stale ledger line, ...)
and records the plan rows docs/simulate.md predicts for it under the default settings, so tests can check
the simulator against the contract and the sample against the simulator. They take the first user
ids, use names that the random population never uses, and keep their SIDs in their own range.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.sample.scenarios import methods, phones, users
from analysis.sample.scenarios.builder import Builder
from analysis.sample.scenarios.model import (
    MIGRATION,
    PILOT,
    SCOPE_GROUP_NAME,
    WAVE1,
    WAVE2,
    Expected,
    Scenarios,
    ScenarioUser,
)

__all__ = [
    "MIGRATION",
    "PILOT",
    "SCENARIOS",
    "SCOPE_GROUP_NAME",
    "WAVE1",
    "WAVE2",
    "Expected",
    "ScenarioUser",
    "Scenarios",
    "build",
]

#: Every scenario, in the order they take user ids, device ids and random draws (changing the order
#: changes the committed sample).
SCENARIOS: tuple[Callable[[Builder], None], ...] = (
    users.grace_hopper,
    users.alan_turing,
    users.ken_thompson,
    users.shared_helpdesk,
    users.ada_lovelace,
    users.edsger_dijkstra,
    users.barbara_liskov,
    users.donald_knuth,
    users.margaret_hamilton,
    users.katherine_johnson,
    users.claude_shannon,
    users.john_mccarthy,
    users.frances_allen,
    users.tim_berners_lee,
    phones.radia_perlman,
    phones.dennis_ritchie,
    phones.linus_torvalds,
    phones.bjarne_stroustrup,
    phones.anita_borg,
    phones.hedy_lamarr,
    phones.annie_easley,
    phones.jean_bartik,
    phones.betty_holberton,
    phones.kathleen_booth,
    phones.sophie_wilson,
    phones.shafi_goldwasser,
    phones.leslie_lamport,
    phones.niklaus_wirth,
    phones.tony_hoare,
    phones.vint_cerf,
    phones.bob_kahn,
    phones.whitfield_diffie,
    phones.martin_hellman,
    methods.ron_rivest,
    methods.adi_shamir,
    methods.len_adleman,
    methods.fran_bilas,
    methods.marlyn_wescoff,
    methods.ruth_teitelbaum,
    methods.evelyn_boyd,
    methods.mary_jackson,
    methods.dorothy_vaughan,
    methods.carol_shaw,
    methods.roberta_williams,
    methods.jude_milhon,
    methods.elizabeth_feinler,
    users.lynn_conway,
    users.karen_jones,
)


def build(seed: int) -> Scenarios:
    """Every scenario user, with the Entra state around them and the plan rows they should get."""
    b = Builder(seed)
    for scenario in SCENARIOS:
        scenario(b)
    return Scenarios(b.users, b.extra_entra, b.expected, b.stories, b.domain_sid, b.next_device_id)
