"""The import contract: only ``analysis/dashboard/`` may import streamlit.

Two checks, because each misses what the other catches: a static scan of every module's imports
(including ones inside functions), and a clean interpreter that imports every non-dashboard module and
then looks at ``sys.modules`` (catching streamlit pulled in indirectly through a third-party import).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "analysis"
DASHBOARD = PACKAGE / "dashboard"


def _streamlit_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == "streamlit" or a.name.startswith("streamlit.") for a in node.names):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and (node.module == "streamlit" or node.module.startswith("streamlit."))
        ) or (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("streamlit")
        ):
            lines.append(node.lineno)
    return lines


def _outside_dashboard() -> list[Path]:
    files = [p for p in PACKAGE.rglob("*.py") if DASHBOARD not in p.parents]
    files += [p for p in (ROOT / "benchmarks").glob("*.py") if p.name != "dashboard.py"]
    return files


def test_scanner_sees_streamlit_imports(tmp_path: Path) -> None:
    """The scanner itself must catch every spelling, or the contract test below proves nothing."""
    sample = tmp_path / "m.py"
    sample.write_text(
        "import os\nimport streamlit as st\nfrom streamlit.testing.v1 import AppTest\n"
        "def f():\n    import streamlit.components.v1\n    importlib.import_module('streamlit')\n",
        encoding="utf-8",
    )
    assert _streamlit_imports(sample) == [2, 3, 5, 6]
    (tmp_path / "ok.py").write_text("import streamlined\nfrom . import streamlit\n", encoding="utf-8")
    assert _streamlit_imports(tmp_path / "ok.py") == []


def test_no_module_outside_dashboard_imports_streamlit() -> None:
    files = _outside_dashboard()
    assert len(files) > 5, "the scan found too few modules to mean anything"
    offenders = {str(p.relative_to(ROOT)): lines for p in files if (lines := _streamlit_imports(p))}
    assert offenders == {}, f"only analysis/dashboard/ may import streamlit; found imports at {offenders}"


def test_importing_the_core_does_not_load_streamlit() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in PACKAGE.rglob("*.py")
        if DASHBOARD not in p.parents and p.name != "__main__.py"
    )
    code = (
        "import importlib, json, sys\n"
        f"mods = {modules!r}\n"
        "failed = {}\n"
        "for m in mods:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except Exception as exc:\n"
        "        failed[m] = repr(exc)\n"
        "print(json.dumps({'streamlit': sorted(k for k in sys.modules if k.split('.')[0] == 'streamlit'),"
        " 'failed': failed}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["streamlit"] == [], f"importing the core loaded {result['streamlit'][:5]}"
    assert result["failed"] == {}, f"core modules failed to import: {result['failed']}"


def test_app_entry_point_only_hands_over_to_the_dashboard_package() -> None:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert imported == {"analysis.dashboard.frame"}
