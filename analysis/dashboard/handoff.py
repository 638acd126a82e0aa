"""The hand-off settings of a new batch, seen and set where the batch is created.

Authenticator devices and software OATH tokens cannot be created through public Graph; the batch's
``[execute]`` options say what happens to their owners (added to the Migration Utility's migration
group, flagged for re-registration, or only reported). They are frozen into the batch at creation, so
the creator must see them there and may choose them for this batch; the settings file gives the
defaults. Who may approve is not among them: it is the workspace policy (:mod:`analysis.execute.policy`),
so whoever creates a batch cannot loosen who may approve it.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analysis.dashboard import components
from analysis.errors import UserError
from analysis.execute.options import HANDOFFS, ExecOptions

WHAT = {
    "group": "add them to the Migration Utility's migration group (the utility then migrates their devices)",
    "reregister": "flag them to register again (optionally with a Temporary Access Pass)",
    "none": "only report them (someone hands them off by hand)",
}


def summary(options: ExecOptions) -> str:
    """The hand-off (or the campaign) in one line, as the batch will carry it."""
    if options.campaign:
        group = f" after adding them to `{options.campaign_group}`" if options.campaign_group else ""
        return (
            f"a re-registration campaign: nothing of the plan is written, each user gets a Temporary Access "
            f"Pass ({options.tap_lifetime_minutes} min){group}"
        )
    text = {
        "group": f"added to the migration group `{options.migration_group}`",
        "reregister": "flagged to register again"
        + (f", with a Temporary Access Pass ({options.tap_lifetime_minutes} min)" if options.tap else ""),
        "none": "only reported",
    }[options.handoff]
    return f"users with devices or software OATH tokens are {text}"


def form(defaults: ExecOptions, groups: dict[str, int], key: str = "b_handoff") -> ExecOptions | None:
    """The batch's hand-off options (the settings file's ``[execute]`` as defaults), or a re-registration
    campaign's; None while what is chosen is not valid (the reason is shown)."""
    if st.toggle(
        "Re-registration campaign (`batch create --campaign`): write nothing of the plan, issue each user "
        "a Temporary Access Pass to register Microsoft Authenticator or a passkey",
        key=f"{key}_campaign",
    ):
        return campaign_form(defaults, groups, key)
    with st.expander("Hand-off settings of this batch", icon=":material/devices:"):
        st.caption(
            "Authenticator devices and software OATH tokens cannot be created through Graph; what happens "
            "to their owners is frozen into the batch. Defaults from the settings file's `[execute]`."
        )
        how = st.radio(
            "Users whose devices or software OATH tokens only Microsoft's utility can create",
            list(HANDOFFS),
            index=list(HANDOFFS).index(defaults.handoff),
            format_func=lambda h: f"{h}: {WHAT[h]}",
            key=f"{key}_how",
        )
        chosen = {"handoff": how, "migration_group": defaults.migration_group, "tap": defaults.tap}
        chosen["tap_lifetime_minutes"] = defaults.tap_lifetime_minutes
        if how == "group":
            current = defaults.migration_group
            options = sorted({*groups, *([current] if current else [])})
            group = st.selectbox(
                "Migration group (the utility's; transitive members shown)",
                options,
                index=options.index(current) if current in options else None,
                accept_new_options=True,
                format_func=components.group_label(groups),
                placeholder="type or pick a group name or id",
                key=f"{key}_group",
            )
            chosen["migration_group"] = group or ""
        elif how == "reregister":
            chosen["tap"] = st.checkbox(
                "Also issue a Temporary Access Pass", value=defaults.tap, key=f"{key}_tap"
            )
            if chosen["tap"]:
                chosen["tap_lifetime_minutes"] = int(
                    st.number_input(
                        "Pass lifetime (minutes)",
                        min_value=10,
                        max_value=43200,
                        value=defaults.tap_lifetime_minutes,
                        key=f"{key}_tap_minutes",
                    )
                )
                st.caption(PASSES_NOTE)
        st.caption(
            "Who may approve is the workspace's policy (`mfa-migrate policy show`), not a batch setting."
        )
    try:
        return ExecOptions.from_dict({**defaults.settings_keys(), **chosen}, "the batch's hand-off settings")
    except UserError as exc:
        st.error(str(exc))
        return None


PASSES_NOTE = (
    "Passes are never shown on a page, logged or journaled: a run from here offers them once as a "
    "download on this page (`mfa-migrate batch run … --tap-out FILE` writes them to a file instead)."
)


def campaign_form(defaults: ExecOptions, groups: dict[str, int], key: str) -> ExecOptions | None:
    """A campaign batch's options: the optional communication group and the passes' lifetime and use."""
    with st.container(border=True):
        current = defaults.campaign_group
        options = sorted({*groups, *([current] if current else [])})
        group = st.selectbox(
            "Communication group to add the users to first (optional)",
            options,
            index=options.index(current) if current in options else None,
            accept_new_options=True,
            format_func=components.group_label(groups),
            placeholder="none; or type or pick a group name or id",
            key=f"{key}_campaign_group",
        )
        c1, c2 = st.columns(2)
        minutes = c1.number_input(
            "Pass lifetime (minutes)",
            min_value=10,
            max_value=43200,
            value=defaults.tap_lifetime_minutes,
            key=f"{key}_campaign_minutes",
        )
        once = c2.checkbox("One-time passes", value=defaults.tap_usable_once, key=f"{key}_campaign_once")
        st.caption(PASSES_NOTE)
    chosen = {"campaign_group": group or "", "tap_lifetime_minutes": int(minutes), "tap_usable_once": once}
    try:
        made = ExecOptions.from_dict({**defaults.settings_keys(), **chosen}, "the campaign's settings")
    except UserError as exc:
        st.error(str(exc))
        return None
    return replace(made, campaign=True)
