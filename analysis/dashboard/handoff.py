"""The hand-off settings of a new batch, seen and set where the batch is created.

Authenticator devices and software OATH tokens cannot be created through public Graph; the batch's
``[execute]`` options say what happens to their owners (added to the Migration Utility's migration
group, flagged for re-registration, or only reported). They are frozen into the batch at creation, so
the creator must see them there and may choose them for this batch; the settings file gives the
defaults. Who may approve is not among them: it is the workspace policy (:mod:`analysis.execute.policy`),
so whoever creates a batch cannot loosen who may approve it.
"""

from __future__ import annotations

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
    """The hand-off in one line, as the batch will carry it."""
    text = {
        "group": f"added to the migration group `{options.migration_group}`",
        "reregister": "flagged to register again"
        + (f", with a Temporary Access Pass ({options.tap_lifetime_minutes} min)" if options.tap else ""),
        "none": "only reported",
    }[options.handoff]
    return f"users with devices or software OATH tokens are {text}"


def form(defaults: ExecOptions, groups: dict[str, int], key: str = "b_handoff") -> ExecOptions | None:
    """The batch's hand-off options (the settings file's ``[execute]`` as defaults); None while what is
    chosen is not valid (the reason is shown)."""
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
                st.caption(
                    "Passes are delivered only to a file on the operator's machine, so a batch that issues "
                    "them is run from the command line: `mfa-migrate batch run … --tap-out FILE`."
                )
        st.caption(
            "Who may approve is the workspace's policy (`mfa-migrate policy show`), not a batch setting."
        )
    try:
        return ExecOptions.from_dict({**defaults.settings_keys(), **chosen}, "the batch's hand-off settings")
    except UserError as exc:
        st.error(str(exc))
        return None
