"""Each service deployable on its own (issue 14 §4): a module under services/<a>/ imports no
other service, the gateway imports no service, and what they share (contracts/, demo/) imports
no service either. Read with ast: nothing is imported to check it (imports inside functions count
too, so a lazy import is no way around it)."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _imported_modules(path):
    """Every module name an import statement in the file names (``from x import y`` gives x and x.y:
    ``from services import deputy`` imports the deputy package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            # a relative import climbing out of the package (from ..other import x)
            yield node.lineno, "." * node.level + (node.module or "")


def _service_of(module):
    """'deputy' for services.deputy.x, None for anything not under services."""
    parts = module.split(".")
    if parts[0] == "services" and len(parts) > 1:
        return parts[1]
    return None


def boundary_violations(root=ROOT):
    found = []
    for path in sorted((root / "services").rglob("*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) < 3:  # services/__init__.py
            continue
        own = rel.parts[1]
        for lineno, module in _imported_modules(path):
            if module.startswith(".."):
                found.append(f"{rel}:{lineno} relative import out of its package: {module}")
                continue
            other = _service_of(module)
            if other is not None and other != own:
                found.append(f"{rel}:{lineno} services/{own} imports {module}")
    for top in ("gateway", "contracts", "demo", "kernel"):
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root)
            for lineno, module in _imported_modules(path):
                if module == "services" or _service_of(module) is not None:
                    found.append(f"{rel}:{lineno} {top}/ imports {module}")
    return found


def test_no_module_imports_another_service_and_the_gateway_imports_none():
    assert boundary_violations() == []


def test_the_check_sees_a_cross_service_import(tmp_path):
    """The check itself: it reports the imports the rule forbids (in a small fake tree)."""
    (tmp_path / "services" / "news").mkdir(parents=True)
    (tmp_path / "services" / "deputy").mkdir(parents=True)
    (tmp_path / "gateway").mkdir()
    (tmp_path / "services" / "news" / "seed.py").write_text(
        "from services.news import handlers\n"          # its own service: fine
        "from services.deputy import demo\n"            # another service
        "def later():\n    import services.deputy.domain\n")  # lazily, still another service
    (tmp_path / "services" / "deputy" / "x.py").write_text("from services import news\n")
    (tmp_path / "gateway" / "g.py").write_text("from contracts import news\nfrom services.news.schemas import A\n")
    found = boundary_violations(tmp_path)
    assert found == [
        "services/deputy/x.py:1 services/deputy imports services.news",
        "services/news/seed.py:2 services/news imports services.deputy",
        "services/news/seed.py:2 services/news imports services.deputy.demo",
        "services/news/seed.py:4 services/news imports services.deputy.domain",
        "gateway/g.py:2 gateway/ imports services.news.schemas",
        "gateway/g.py:2 gateway/ imports services.news.schemas.A",
    ]
