"""The house's shape, checked: imports go one way (bench and tests use flows, which drives
mock_portal), no import cycle inside a package, the bench pulls in no pytest, every page
object says how it knows it is loaded, docs/architecture.md names every module, and no name
uses a word its glossary says never to."""
import ast
import inspect
import pathlib
import subprocess
import sys

import pytest


ROOT = pathlib.Path(__file__).resolve().parents[2]


def modules(package):
    """{dotted name: path} of every module of `package` (a folder under ROOT)."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path, name, known):
    """The modules of `known` that the module `name` at `path` imports, inside functions too."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found.update(c for c in candidates if c in known and c != name)
    return found


@pytest.mark.parametrize("package", ["flows", "mock_portal"])
def test_no_import_cycle_inside_a_package(package):
    known = modules(package)
    # A module importing its own package is the package's re-export, not a cycle.
    graph = {name: {t for t in imports(path, name, known) if not name.startswith(t + ".")}
             for name, path in known.items()}
    cycles, state, stack = [], {}, []

    def visit(name):
        state[name] = "open"
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def test_the_kit_and_the_portal_never_import_the_bench_or_the_tests():
    for package in ("flows", "mock_portal"):
        for name, path in modules(package).items():
            text = path.read_text(encoding="utf-8")
            assert "import bench" not in text and "from bench" not in text, name
            assert "portal_client" not in text, name


def test_no_test_imports_the_bench():
    for path in (ROOT / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if n == "bench" or n.startswith("bench.")], path.name


@pytest.mark.skipif(not (ROOT / "bench" / "__main__.py").is_file(), reason="the bench is the repository's, not the wheel's")
def test_the_bench_pulls_in_no_pytest():
    code = ("import sys, bench.__main__, bench.account, bench.load, bench.where; "
            "print('pytest' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_every_page_object_has_expect_loaded():
    import importlib
    import pkgutil

    import flows.pages
    from flows.pages.base import Screen
    pages = [importlib.import_module(f"flows.pages.{m.name}") for m in pkgutil.iter_modules(flows.pages.__path__)]
    missing = [name for module in pages
               for name, cls in vars(module).items()
               if inspect.isclass(cls) and issubclass(cls, Screen) and cls is not Screen
               and cls.expect_loaded is Screen.expect_loaded and cls.shown_by is None]
    assert missing == []


ARCHITECTURE = ROOT / "docs" / "architecture.md"


def test_the_architecture_page_names_every_module():
    page = ARCHITECTURE.read_text(encoding="utf-8")
    # A module by its path in its package (`login/routes.py`), or by its name in its folder's row.
    unnamed = [str(path.relative_to(ROOT)) for package in ("mock_portal", "flows", "bench")
               for path in (ROOT / package).rglob("*.py")
               if path.name != "__init__.py" and str(path.relative_to(ROOT / package)) not in page
               and not (path.name in page and f"{path.parent.name}/" in page)]
    assert unnamed == []


def glossary_rows():
    """The glossary table of docs/architecture.md: [word, what it names, in the code, never]."""
    table = ARCHITECTURE.read_text(encoding="utf-8").split("## Glossary", 1)[1]
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in table.splitlines()
            if line.startswith("| ") and "---" not in line]
    return rows[1:]


def glossary():
    """{word: [words never to use for its idea]}."""
    return {word: [w.strip() for w in never.split(",") if w.strip()] for word, _, _, never in glossary_rows()}


def names_in_code():
    """Every module, template and static file name, and every function and class name, of the
    kit's two packages: (name, where)."""
    for package in ("mock_portal", "flows"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".html", ".js", ".css"):
                where = str(path.relative_to(ROOT))
                yield path.stem, where
                if path.suffix == ".py":
                    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                            yield node.name, f"{where}:{node.lineno}"


def test_no_name_uses_a_word_the_glossary_says_never_to():
    never = {word: idea for idea, words in glossary().items() for word in words}
    assert never, "the glossary's table was not read"
    found = [(name, where, f"say {idea!r}") for name, where in names_in_code()
             for word, idea in never.items()
             if word in name.lower().split("_") or (("_" in word) and word in name.lower())]
    assert found == []


def test_the_glossarys_places_exist():
    """Every module, template or folder the glossary names as where a word lives is there: in
    the repository, or where a wheel installed the kit (scripts/wheel_check.sh)."""
    import flows
    kit = pathlib.Path(flows.__file__).resolve().parents[1]  # the folder holding mock_portal and flows
    places = {p for _, _, code, _ in glossary_rows() for p in code.split("`")[1::2]
              if p.endswith((".py", ".html", ".js")) or (p.endswith("/") and "<" not in p)}
    missing = [p for p in places
               if not any((base / p).exists() for base in (kit / "mock_portal", kit / "flows", kit, ROOT))]
    assert places and missing == []
