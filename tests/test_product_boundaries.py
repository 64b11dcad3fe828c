"""The product neither contains nor imports its stand-ins, and extractors/ does not import pipeline/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("extractors", "loaders", "pipeline", "dags", "warehouse", "reporting", "reference")


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (also inside functions)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            out.add(str(node.args[0].value))
    return out


def product_files():
    return sorted(p for pkg in PRODUCT for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_product_code_never_imports_the_stand_ins(path):
    bad = {m for m in imports(path) if m.split(".")[0] == "simulators"}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", sorted((ROOT / "extractors").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_extractors_do_not_import_the_orchestration(path):
    bad = {m for m in imports(path) if m.split(".")[0] in ("pipeline", "dags")}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_no_simulation_concepts_in_product_code():
    words = ("simulated_clock", "replay_from", "simulation clock", "scenario")
    found = [(str(p.relative_to(ROOT)), w) for p in product_files() for w in words if w in p.read_text().lower()]
    assert not found, found


def test_the_check_can_fail(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from simulators.registry import discover\n")
    assert "simulators.registry" in imports(probe)
