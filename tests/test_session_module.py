"""The signed-in session lives in one module that the sign-in form and the page frame share."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / f"{module.replace('.', '/')}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_import_circle_between_sign_in_and_the_page_frame():
    assert "components.login" not in _imports("components.shell")
    session_imports = _imports("components.session")
    assert not {"components.login", "components.shell"} & session_imports
    # Both read the session through the shared module.
    assert "components.session" in _imports("components.login")
    assert "components.session" in _imports("components.shell")


def test_idle_rule_and_sign_out_are_defined_once():
    for name in ("idle_expired", "sign_out", "touch_activity", "get_engine"):
        defined_in = [
            path.name
            for path in (ROOT / "components").glob("*.py")
            if f"def {name}(" in path.read_text()
        ]
        assert defined_in == ["session.py"], name
