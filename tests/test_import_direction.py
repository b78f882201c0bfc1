"""Data flows one way (docs/design.md): source → schema → build → checks →
runtime → journal → render. The renderers read the engine; the engine does
not reach into a renderer. `cli/` picks a renderer and may import one; the
front ends listed below render pages themselves."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"

# Modules outside render/ and cli/ that import engine.render, each with why.
ALLOWED = {
    # Front ends, like cli/: they answer a person with a rendered page.
    "engine/serve/app.py": "sop serve's pages are rendered output (templates, escaping, evidence)",
    "engine/lsp/preview.py": "the editor's flowchart preview is a rendered page",
    "engine/lsp/server.py": "the editor's flowchart command returns the rendered Mermaid",
    "engine/lsp/features.py": "hover texts are Markdown, escaped by render.escape",
    # Known violation, left to be moved: the runner words an automatic branch's
    # guard for the screen and the journal ("why") with the manual's Wording.
    "engine/runtime/runner.py": "known violation: render.exprs.Wording for a branch's why",
}


def _render_imports(path: Path) -> list[str]:
    """The engine.render modules `path` imports (at any depth of the file)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "engine":
                names = [f"engine.{a.name}" for a in node.names]
            else:
                names = [node.module]
        found += [n for n in names if n == "engine.render" or n.startswith("engine.render.")]
    return found


def test_the_engine_does_not_import_a_renderer() -> None:
    importers = {
        str(p.relative_to(ROOT)): _render_imports(p)
        for p in sorted(ENGINE.rglob("*.py"))
        if p.relative_to(ENGINE).parts[0] not in ("render", "cli")
    }
    offending = {k: v for k, v in importers.items() if v and k not in ALLOWED}
    assert offending == {}, "these engine modules import a renderer: " + repr(offending)
    # An allowance outlives its reason: once a module stops importing, drop it.
    assert {k for k, v in importers.items() if v} == set(ALLOWED)


def test_every_way_of_importing_is_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import engine.render.graph\n"
        "from engine import render, model\n"
        "def f():\n"
        "    from engine.render.locale import convert\n"
        "from engine.chinese import convert\n"
        "from engine.rendering import x\n",
        encoding="utf-8",
    )
    assert sorted(_render_imports(module)) == [
        "engine.render",
        "engine.render.graph",
        "engine.render.locale",
    ]
