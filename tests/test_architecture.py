"""Architecture rules from DESIGN.md, checked by parsing src/.

- SQL lives in repositories: no module outside `repository.py` (or a `repository/`
  package), `core/` and `migrations/` builds statements with select/insert/update/delete
  (models may use `text()` for server defaults).
- A domain queries only its own tables: nothing imports another domain's repository (using
  another domain's model classes as types is fine; querying them goes through its service).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kindred"
STATEMENT_BUILDERS = {"select", "insert", "update", "delete", "text"}
INFRASTRUCTURE = {"core", "migrations", "cli"}


def python_files() -> Iterator[Path]:
    yield from sorted(SRC.rglob("*.py"))


def domain_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0]


def is_repository(path: Path) -> bool:
    return path.stem == "repository" or "repository" in path.relative_to(SRC).parts


def sqlalchemy_builders(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found |= {alias.name for alias in node.names if alias.name in STATEMENT_BUILDERS}
    return found


def imported_repositories(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and ".repository" in (node.module or ""):
            found.add(node.module or "")
    return found


def test_only_repositories_build_sql_statements() -> None:
    offenders = []
    for path in python_files():
        if domain_of(path) in INFRASTRUCTURE or is_repository(path) or path.parent == SRC:
            continue
        builders = sqlalchemy_builders(ast.parse(path.read_text()))
        if path.stem == "models":
            builders -= {"text"}  # server defaults, not statements
        if builders:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(builders)}")
    assert offenders == [], "SQL outside repositories:\n" + "\n".join(offenders)


def test_no_domain_imports_another_domains_repository() -> None:
    offenders = []
    for path in python_files():
        domain = domain_of(path)
        for module in imported_repositories(ast.parse(path.read_text())):
            owner = module.split(".")[1]
            if owner not in (domain, "core"):
                offenders.append(f"{path.relative_to(SRC)} imports {module}")
    assert offenders == [], "cross-domain repository imports:\n" + "\n".join(offenders)


def test_the_checks_see_the_source_tree() -> None:
    files = list(python_files())
    assert len(files) > 30
    assert any(is_repository(path) for path in files)
