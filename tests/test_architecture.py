"""House rules of the package layout, checked mechanically (see ARCHITECTURE.md).

- No import cycle among hme_core modules, counting every import: module level and inside
  functions, absolute and relative.
- At most 12 modules directly in hme_core/, and no module in hme_core/ or tools/ over 450 lines.
- Every path named in ARCHITECTURE.md's "Where is …?" table exists, and every name given with a
  Python file is defined in it.
- Comments and docstrings cite docs/sources.md by an existing section name, not documents
  outside the repository.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hme_core.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "hme_core"
MAX_TOP_LEVEL_MODULES = 12
MAX_LINES = 450


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Dotted names an `import` / `from ... import` node may load (modules or their members)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph() -> dict[str, set[str]]:
    """{module: hme_core modules it imports anywhere in its body}.

    A name resolves to the longest module prefix (`from hme_core.batch.keys import unit_key`
    -> hme_core.batch.keys). A package's `__init__` importing its own children is not an edge.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for name in _imported(node, module, is_package):
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name and name != module and not name.startswith(module + "."):
                    graph[module].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle_through_an_import_inside_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from hme_core.batch import keys\n")
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert _imported(node, "hme_core.batch.run", False) == ["hme_core.batch.keys", "hme_core.batch"]
    relative = ast.parse("from ..store import duckdb_store").body[0]
    assert _imported(relative, "hme_core.batch.run", False)[0] == "hme_core.store.duckdb_store"


def test_no_import_cycles_among_hme_core_modules():
    graph = import_graph()
    assert "hme_core.batch.keys" in graph["hme_core.batch.run"]  # the walk sees real imports
    assert cycles(graph) == []


def test_at_most_twelve_modules_directly_in_hme_core():
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_is_over_450_lines():
    files = sorted(PACKAGE.rglob("*.py")) + sorted((REPO_ROOT / "tools").rglob("*.py"))
    long = {str(p.relative_to(REPO_ROOT)): n for p in files
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _where_is_rows() -> list[str]:
    text = (REPO_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Where is", 1)[1]
    return [line for line in section.splitlines() if line.startswith("|")][2:]


def _defines(path: Path, name: str) -> bool:
    if path.suffix != ".py":
        return name in path.read_text(encoding="utf-8")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                return True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
    return False


def test_where_is_table_names_existing_files_and_definitions():
    rows = _where_is_rows()
    assert len(rows) >= 20
    missing = []
    for row in rows:
        path: Path | None = None
        for token in re.findall(r"`([^`]+)`", row.split("|")[2]):
            if "/" in token or token.endswith((".py", ".md", ".yaml", ".css")):
                path = REPO_ROOT / token
                if not path.exists():
                    missing.append(token)
                    path = None
            elif path is not None and path.is_file() and not _defines(path, token):
                missing.append(f"{path.relative_to(REPO_ROOT)}: {token}")
    assert missing == []


# Written with escapes, so this file does not match itself.
OUTSIDE_DOCUMENTS = re.compile(
    r"HME\.md|TOOLING\.md|STACK\.md|STYLE\.md|\b[Ss]eed 00\d|\b[Ii]ssue \d+"
    r"|\(00[0-4]\)|\b00[0-4]'s\b|\bin 00[0-4]\b")


@pytest.mark.parametrize("folder", ["hme_core", "tests", "tools"])
def test_no_comment_cites_documents_outside_the_repository(folder):
    hits = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE_DOCUMENTS.search(line):
                hits.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert hits == []


def test_citations_of_docs_sources_name_an_existing_section():
    text = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    headings = [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]
    assert {"SKR: HME", "Kolada", "eNPS", "Statistical disclosure control"} <= set(headings)
    unknown = []
    for path in sorted(PACKAGE.rglob("*.py")) + sorted((REPO_ROOT / "tests").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for rest in re.findall(r"docs/sources\.md, (.*)", line):
                rest = rest.lstrip('"').rstrip()
                # a section name may run on to the next line: a prefix of a heading is enough
                if not any(rest.startswith(h) or h.startswith(rest) for h in headings):
                    unknown.append(f"{path.relative_to(REPO_ROOT)}:{number}: {rest}")
    assert unknown == []
