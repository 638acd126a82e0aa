"""What a report shows of the findings: phone numbers masked unless the operator asked to see them.

Findings hold numbers only in the ``detail`` of findings about a phone (``subject_type = 'phone'``:
"mobile phone +44 7400100011 in Entra will be replaced by ..."). Other details carry counts, SIDs and
dates that must stay readable, so only phone findings are masked (:mod:`analysis.output.masking`).
"""

from __future__ import annotations

import pandas as pd

from analysis.output.masking import mask_texts


def findings(df: pd.DataFrame, reveal_phones: bool = False) -> pd.DataFrame:
    """``df`` (finding columns) with the numbers in phone findings' details masked, unless revealed."""
    if reveal_phones or df.empty or "detail" not in df.columns:
        return df
    phone = (df["subject_type"] == "phone").fillna(False).to_numpy(dtype=bool)
    if not phone.any():
        return df
    out = df.copy()
    details = out["detail"].astype(object)
    details[phone] = mask_texts(details[phone].tolist())
    out["detail"] = details.astype(df["detail"].dtype)
    return out
