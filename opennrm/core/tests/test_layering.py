"""The data flows one way: intake → identification → protection → assistance, shelters, residence → the
pages above them (docs/decisions/0015). A lower layer never imports a higher one, and the apps of one
workflow layer do not import each other (at module level or inside a function); tests and migrations
are outside the rule. The foundation (accounts, audit, policy, people …) may know the case, nothing of
the workflow built on it; its apps, and those on top, may import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import opennrm

ROOT = Path(opennrm.__file__).parent

# Lowest first.
LAYERS: list[set[str]] = [
    {"lib", "core", "accounts", "audit", "policy", "api", "people", "notifications", "cases"},
    {"intake"},
    {"identification"},
    {"protection"},
    {"assistance", "residence", "shelters"},
    {"home", "demo", "testing", "cli"},
]
OPEN_LAYERS = {0, len(LAYERS) - 1}  # whose apps may import each other

# Known imports upward, each with its reason; a new one fails the test until it is moved or listed here.
ALLOWED: dict[tuple[str, str], str] = {
    # The group API's body describes the shared screening in identification's vocabulary (its answers and
    # settings); the screening itself is handed over through intake.group.HANDOVER, registered by
    # identification, so that intake's services import nothing of it.
    ("intake/group_apis.py", "opennrm.identification.models"): "the shared screening's vocabulary",
}


def _layer(app: str) -> int:
    for i, apps in enumerate(LAYERS):
        if app in apps:
            return i
    raise AssertionError(f"opennrm.{app} is in no layer of {__name__}: put it in one")


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "opennrm":
                out |= {f"opennrm.{alias.name}" for alias in node.names}
            elif node.module.startswith("opennrm."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names if alias.name.startswith("opennrm.")}
    return out


def _sources() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.py")
        if not {"tests", "migrations"} & set(p.relative_to(ROOT).parts) and p.name != "conftest.py"
    ]


def upward_imports() -> list[str]:
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT)
        app = rel.parts[0].removesuffix(".py")
        if app == "__init__":
            continue
        for module in sorted(_imports(path)):
            target = module.split(".")[1]
            if target == app or _layer(target) < _layer(app):
                continue
            if _layer(target) == _layer(app) and _layer(app) in OPEN_LAYERS:
                continue
            if (rel.as_posix(), module) not in ALLOWED:
                found.append(f"{rel} imports {module}")
    return found


def test_no_layer_imports_one_above_it_nor_a_sibling():
    assert upward_imports() == []


def test_every_app_is_in_a_layer_and_every_exception_still_exists():
    apps = {p.relative_to(ROOT).parts[0].removesuffix(".py") for p in _sources()} - {"__init__"}
    for app in apps:
        _layer(app)
    for file, module in ALLOWED:
        assert module in _imports(ROOT / file), f"{file} no longer imports {module}: drop the exception"


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The rule catches what it is for: a foundation module importing a workflow app, even lazily."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "bad.py").write_text(
        "def f():\n    from opennrm.assistance import services\n    return services\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    (tmp_path / "residence").mkdir()
    (tmp_path / "residence" / "sibling.py").write_text("from opennrm.shelters.models import Facility\n")
    assert sorted(upward_imports()) == [
        "cases/bad.py imports opennrm.assistance",
        "residence/sibling.py imports opennrm.shelters.models",
    ]
