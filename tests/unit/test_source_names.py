"""Outside ``pipelines/sources/`` no module names a source: everything else loops over the
registry, so a new source is one package (and its dbt models) and no other file changes.

What counts as naming one: an identifier (a variable, function, class, argument, attribute or
imported name), an imported module path, or a string literal that the code uses (a table name,
a settings section, a label), holding a source's name. Docstrings and comments are prose: they
may give a source as an example. ``google`` is not a source here (BigQuery and Secret Manager
are Google's); the Google Health API is, so its host and scopes count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"
SOURCE_WORDS = re.compile(r"notion|hubspot|fitbit|googlehealth|health\.googleapis", re.IGNORECASE)

pytestmark = pytest.mark.unit


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def names_in(path: Path) -> list[str]:
    """``line: text`` for every identifier, module path or code string naming a source."""
    tree = ast.parse(path.read_text())
    prose = docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        words: list[str] = []
        if isinstance(node, ast.Name):
            words = [node.id]
        elif isinstance(node, ast.Attribute):
            words = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            words = [node.name]
        elif isinstance(node, ast.arg):
            words = [node.arg]
        elif isinstance(node, ast.alias):
            words = [node.name, node.asname or ""]
        elif isinstance(node, ast.ImportFrom):
            words = [node.module or ""]
        elif isinstance(node, ast.keyword):
            words = [node.arg or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            words = [node.value]
        hits += [f"{getattr(node, 'lineno', '?')}: {word!r}" for word in words if SOURCE_WORDS.search(word)]
    return hits


def test_no_module_outside_sources_names_a_source():
    found = {str(path.relative_to(PACKAGE.parent)): hits
             for path in sorted(PACKAGE.rglob("*.py"))
             if "sources" not in path.relative_to(PACKAGE).parts[:1]
             and (hits := names_in(path))}
    assert found == {}


def test_the_check_sees_a_name_a_string_and_an_import_but_not_prose(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Notion, say."""\nfrom pipelines.sources.fitbit import x\n'
                      'TABLE = "hubspot__contacts"\n\ndef f():\n    """HubSpot too."""\n'
                      '    return notion_pages  # notion\n')
    assert names_in(module) == ["2: 'pipelines.sources.fitbit'", "3: 'hubspot__contacts'",
                                "7: 'notion_pages'"]
