"""The apps' layers (pyproject.toml [tool.importlinter]): core at the bottom, portal and config at
the top, no app importing one above it and no import cycles inside an app; and an import inside a
function only with a comment saying why (else it hides a dependency from the reader)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "communities", "accounts", "campaigns", "enterprises", "rectification", "complaints",
        "inspections", "public_revenue", "reporting", "portal", "config"]


def test_lint_imports_keeps_the_layers_and_finds_no_cycles():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-logo", "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _unexplained_imports(path: Path) -> list[str]:
    """Imports inside a function with no comment on their line, or on the line before the run of
    imports they belong to."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for statement in ast.walk(node):
            if not isinstance(statement, ast.Import | ast.ImportFrom):
                continue
            index = statement.lineno - 1
            while index > 0 and lines[index - 1].strip().startswith(("from ", "import ")) or (
                index > 0 and not lines[index - 1].strip()
                and lines[index - 2].strip().startswith(("from ", "import ", "#"))
            ):
                index -= 1
            if "#" not in lines[statement.lineno - 1] and not lines[index - 1].strip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{statement.lineno}: {lines[statement.lineno - 1].strip()}")
    return found


def test_every_import_inside_a_function_says_why():
    unexplained = [
        line
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line in _unexplained_imports(path)
    ]
    assert unexplained == [], "\n".join(unexplained)
