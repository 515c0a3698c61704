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
    """Imports inside a function with no comment: neither on one of their lines nor on the line
    before the run of imports (blank lines between them allowed) they belong to."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        run_start, previous_end = None, None
        statements = [s for s in ast.walk(node) if isinstance(s, ast.Import | ast.ImportFrom)]
        for statement in sorted(statements, key=lambda s: s.lineno):
            between = lines[previous_end:statement.lineno - 1] if previous_end else ["-"]
            if any(line.strip() for line in between):
                run_start = statement.lineno
            previous_end = statement.end_lineno
            own = lines[statement.lineno - 1:statement.end_lineno]
            if not any("#" in line for line in own) and not lines[run_start - 2].strip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{statement.lineno}: {own[0].strip()}")
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
