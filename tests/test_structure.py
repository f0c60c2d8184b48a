"""The package's shape: no import cycles among medialib's modules, and the ingest pipeline's
steps hand each other exactly what they need.

The import graph is read with ast from medialib/**/*.py and counts every import statement,
module level or inside a function, except those under `if TYPE_CHECKING:` (they never run).
An import inside a function still runs, so a cycle through one is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from medialib.ingest.runner import Step, check_pipeline
from medialib.ingest.steps import GIVEN, PIPELINE, STEPS

PACKAGE = Path(__file__).resolve().parent.parent / "medialib"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The medialib modules `path` imports (outside `if TYPE_CHECKING:` blocks)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = {
        id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
        and "TYPE_CHECKING" in ast.unparse(block.test) for stmt in block.body
        for node in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from package import submodule` needs the submodule, not the package's names
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                       for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in modules and t != name}
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None.

    A package's __init__ importing its own submodules is not a cycle unless a submodule
    imports the package back (which would run __init__ half-done)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == 1:
                return [*stack[stack.index(child):], child]
            if child not in state:
                cycle = visit(child)
                if cycle:
                    return cycle
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_no_module_of_medialib_imports_itself_back() -> None:
    graph = import_graph()
    assert len(graph) > 40 and "medialib.ingest.steps" in graph  # the walk saw the package
    assert "medialib.staging" in graph["medialib.ingest.steps"]  # and its relative imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_ingest_steps_are_named_objects_in_the_docstring_order() -> None:
    assert STEPS == ("probe", "normalize", "poster", "renditions", "captions", "chapters",
                     "transcript", "catalog", "database", "index")
    assert all(isinstance(step, Step) for step in PIPELINE)
    check_pipeline(PIPELINE, GIVEN)  # every step's needs are given before it


def test_a_step_that_needs_what_no_earlier_step_gives_is_refused() -> None:
    steps = [Step("b", ("x",), (), lambda _w: ""), Step("a", (), ("x",), lambda _w: "")]
    try:
        check_pipeline(steps, ())
    except ValueError as exc:
        assert "step 'b' needs ['x']" in str(exc)
    else:
        raise AssertionError("accepted a step before the step that gives its input")


def test_every_error_staff_can_act_on_derives_from_the_one_base_class() -> None:
    """The command line catches MedialibError alone; an error class outside it would reach
    staff as a traceback. (The web's own errors become HTTP statuses, not exit statuses.)"""
    import importlib
    import inspect
    import pkgutil

    import medialib
    from medialib.errors import MedialibError

    errors = []
    for info in pkgutil.walk_packages(medialib.__path__, "medialib."):
        if info.name.startswith("medialib.web"):
            continue
        module = importlib.import_module(info.name)
        errors += [obj for obj in vars(module).values() if inspect.isclass(obj)
                   and issubclass(obj, Exception) and obj.__module__ == info.name]
    outside = [f"{e.__module__}.{e.__name__}" for e in errors if not issubclass(e, MedialibError)]
    assert outside == []
    assert len(errors) >= 13  # CatalogError, CaptionError, MediaError, IngestError, ...
