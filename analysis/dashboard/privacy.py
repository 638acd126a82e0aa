"""Phone numbers on screen: masked unless this viewer chose to see them, and that choice is recorded.

Every page shows numbers through the helpers here, so none forgets to mask. The sidebar's *Show full
phone numbers* toggle is per session; turning it on or off is written to the workspace table
``dashboard_reveals`` with the viewer's identity before any full number is shown. A workspace opened
read-only cannot record it, so there the numbers stay masked. The masking itself is the product's one
rule (:mod:`analysis.output.masking`), as in every file the CLI writes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from analysis.output import masking

_KEY = "reveal_phones"
_TOGGLE = "reveal_phones_toggle"


def revealed() -> bool:
    """Whether this session shows full numbers (only ever true once recorded)."""
    return bool(st.session_state.get(_KEY, False))


def toggle(ctx: Any) -> None:
    """The sidebar toggle; records every change with the viewer's identity before it takes effect."""
    from analysis.dashboard.session import cursor

    ws = ctx.workspace

    def changed() -> None:
        want = bool(st.session_state.get(_TOGGLE))
        if ws.read_only:
            st.session_state[_KEY] = False
            st.session_state[_TOGGLE] = False
            return
        from analysis.sqlfiles import sql

        cur = cursor(ws.path)
        cur.execute(sql("dashboard/privacy.reveal_schema"))
        cur.execute(sql("dashboard/privacy.reveal_insert"), {"actor": ctx.identity.name, "revealed": want})
        st.session_state[_KEY] = want

    st.toggle(
        "Show full phone numbers",
        key=_TOGGLE,
        on_change=changed,
        disabled=ws.read_only,
        help="Numbers are masked (+49 30•••••89) on every page and in every download. Turning this on is "
        "recorded in the workspace with your identity.",
    )
    if ws.read_only:
        st.caption("Numbers stay masked: a read-only workspace cannot record who revealed them.")
    elif revealed():
        st.caption(f"Full numbers shown to **{ctx.identity.name}** (recorded).")


def number(value: Any) -> Any:
    """One number as this viewer may see it."""
    if revealed() or not isinstance(value, str):
        return value
    return masking.mask_number(value)


def numbers(values: pd.Series) -> pd.Series:
    """A column of numbers as this viewer may see them."""
    if revealed() or values.empty:
        return values
    masked = masking.mask_array(pa.array(values.astype(object).where(values.notna(), None), pa.string()))
    return pd.Series(masked.to_pylist(), index=values.index, dtype=values.dtype)


def phone_lists(values: pd.Series) -> pd.Series:
    """A column of texts that may hold several numbers each (``a; b``) as this viewer may see them: one
    vectorised masking call for the whole column (values that are not text pass through)."""
    if revealed() or values.empty:
        return values
    return pd.Series(masking.mask_texts(values.tolist()), index=values.index, dtype=values.dtype)


def plan_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Plan rows or what-if differences with phone rows' numbers masked (values and reasons)."""
    if revealed() or df.empty or "item" not in df.columns:
        return df
    table = pa.Table.from_pandas(df, preserve_index=False)
    batches = [masking.mask_plan_batch(b) for b in table.to_batches()]
    out = pa.Table.from_batches(batches, schema=batches[0].schema if batches else None).to_pandas()
    out.index = df.index
    return out.astype(df.dtypes.to_dict())


def verification(df: pd.DataFrame) -> pd.DataFrame:
    """A batch's verification rows with the numbers of phone rows masked (predicted and actual)."""
    if revealed() or df.empty:
        return df
    items = pa.array(df["item"].astype(object).where(df["item"].notna(), None), pa.string())
    out = df.copy()
    for column in ("predicted", "actual"):
        values = pa.array(df[column].astype(object).where(df[column].notna(), None), pa.string())
        out[column] = pd.Series(
            masking.mask_plan_values(items, values).to_pylist(), index=df.index, dtype=df[column].dtype
        )
    return out


def findings(df: pd.DataFrame) -> pd.DataFrame:
    """Findings with the numbers in phone findings' details masked."""
    from analysis.readiness.report import shown

    return shown.findings(df, revealed())


def json_text(text: Any) -> Any:
    """A JSON body (text) with values under phone keys masked; anything else passes through."""
    import json

    if revealed() or not isinstance(text, str):
        return text
    try:
        return json.dumps(masking.mask_json(json.loads(text)), sort_keys=True)
    except ValueError:
        return text
