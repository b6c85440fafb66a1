"""Every journal event type the code can write, found by reading the source (ast): the `type` of
each `journal_write(...)` / `events.record(...)` call and of each event mapping handed to
`journal_write_many` (a dict literal with "type", "subject_type" and "subject_id"). A type that
is not a literal is followed back: through f-strings, conditional expressions, local assignments,
dict lookups (`kinds.get(status, default)`, `SUBJECTS[type(obj)]`) and the parameters of the
functions that pass it on (`subscription_event(sub, "updated", ...)`,
`payout_event("payout.paid", ...)`), to the literals at their call sites. Whatever cannot be
followed is reported, so a new kind of call site fails the catalogue's test instead of slipping
past it."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "core",
    "catalog",
    "billing",
    "invoicing",
    "payments",
    "notifications",
    "portal",
    "integrations",
    "backoffice",
)
SINK_CALLS = {"journal_write", "record"}  # record: core.events.record (the catalog's writer)


class Unresolved(Exception):
    pass


@dataclass
class Scan:
    types: dict[str, set[str]] = field(default_factory=dict)  # type -> "file:line" of its sites
    unresolved: list[str] = field(default_factory=list)


@dataclass
class _Func:
    node: ast.FunctionDef
    path: str
    parents: dict[ast.AST, ast.AST]


class _Index:
    def __init__(self, root: Path) -> None:
        self.modules: dict[str, ast.Module] = {}
        self.parents: dict[str, dict[ast.AST, ast.AST]] = {}
        self.functions: dict[str, list[_Func]] = {}
        for app in APPS:
            for path in sorted((root / app).rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                rel = str(path.relative_to(root))
                tree = ast.parse(path.read_text(), filename=rel)
                parents = {
                    child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
                }
                self.modules[rel] = tree
                self.parents[rel] = parents
                for node in ast.walk(tree):
                    if isinstance(node, ast.FunctionDef):
                        self.functions.setdefault(node.name, []).append(_Func(node, rel, parents))

    def enclosing(self, path: str, node: ast.AST) -> ast.FunctionDef | None:
        parents = self.parents[path]
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def calls_of(self, name: str, home: str) -> Iterator[tuple[str, ast.Call]]:
        """Calls of the function `name` defined in module `home`: in that module, and in the
        modules that import it by name (a private function has no other callers)."""
        for path, tree in self.modules.items():
            if path != home and (name.startswith("_") or not self._imports(tree, name)):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _callee(node) == name:
                    yield path, node

    @staticmethod
    def _imports(tree: ast.Module, name: str) -> bool:
        return any(
            isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names)
            for node in ast.walk(tree)
        )


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


class _Resolver:
    def __init__(self, index: _Index) -> None:
        self.index = index
        self.stack: list[tuple[str, int]] = []

    def resolve(self, expr: ast.expr, path: str) -> set[str]:
        key = (path, id(expr))
        if key in self.stack or len(self.stack) > 12:
            raise Unresolved(f"{path}:{expr.lineno}: recursion")
        self.stack.append(key)
        try:
            return self._resolve(expr, path)
        finally:
            self.stack.pop()

    def _resolve(self, expr: ast.expr, path: str) -> set[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.resolve(expr.body, path) | self.resolve(expr.orelse, path)
        if isinstance(expr, ast.JoinedStr):
            parts: list[set[str]] = []
            for value in expr.values:
                if isinstance(value, ast.FormattedValue):
                    parts.append(self.resolve(value.value, path))
                else:
                    parts.append(self.resolve(value, path))
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(expr, ast.Name):
            return self._name(expr, path)
        if isinstance(expr, ast.Subscript):  # a lookup in a dict literal: any of its values
            return self._dict_values(expr.value, path)
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "get"
        ):
            values = self._dict_values(expr.func.value, path)
            if len(expr.args) > 1:
                values |= self.resolve(expr.args[1], path)
            return values
        raise Unresolved(f"{path}:{expr.lineno}: {ast.unparse(expr)}")

    def _dict_values(self, expr: ast.expr, path: str) -> set[str]:
        if isinstance(expr, ast.Dict):
            out: set[str] = set()
            for value in expr.values:
                out |= self.resolve(value, path)
            return out
        if isinstance(expr, ast.Name):
            for value in self._assigned(expr, path):
                return self._dict_values(value, path)
        raise Unresolved(f"{path}:{expr.lineno}: {ast.unparse(expr)}")

    def _assigned(self, name: ast.Name, path: str) -> list[ast.expr]:
        """The values assigned to `name` in its function, else in its module."""
        func = self.index.enclosing(path, name)
        scopes: list[ast.AST] = [func] if func is not None else []
        scopes.append(self.index.modules[path])
        for scope in scopes:
            found = [
                node.value
                for node in ast.walk(scope)
                if isinstance(node, ast.Assign | ast.AnnAssign)
                and node.value is not None
                and any(
                    isinstance(t, ast.Name) and t.id == name.id
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
            ]
            if found:
                return found
        return self._imported(name.id, path)

    def _imported(self, name: str, path: str) -> list[ast.expr]:
        """A module-level constant imported by name from another module of the apps."""
        for node in ast.walk(self.index.modules[path]):
            if not (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.level == 0
                and any(a.name == name and a.asname is None for a in node.names)
            ):
                continue
            base = node.module.replace(".", "/")
            source = next(
                (p for p in (f"{base}.py", f"{base}/__init__.py") if p in self.index.modules), None
            )
            if source is not None:
                return [
                    n.value
                    for n in self.index.modules[source].body
                    if isinstance(n, ast.Assign | ast.AnnAssign)
                    and n.value is not None
                    and any(
                        isinstance(t, ast.Name) and t.id == name
                        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                    )
                ]
        return []

    def _name(self, name: ast.Name, path: str) -> set[str]:
        func = self.index.enclosing(path, name)
        if func is not None:
            args = func.args
            positional = [*args.posonlyargs, *args.args]
            names = [a.arg for a in positional] + [a.arg for a in args.kwonlyargs]
            if name.id in names:
                return self._parameter(func, path, name.id, positional)
        assigned = self._assigned(name, path)
        if not assigned:
            raise Unresolved(f"{path}:{name.lineno}: {name.id}")
        out: set[str] = set()
        for value in assigned:
            out |= self.resolve(value, path)
        return out

    def _parameter(
        self, func: ast.FunctionDef, path: str, param: str, positional: list[ast.arg]
    ) -> set[str]:
        """A parameter: the values the function's callers pass for it."""
        position = next((i for i, a in enumerate(positional) if a.arg == param), None)
        out: set[str] = set()
        callers = list(self.index.calls_of(func.name, path))
        if not callers:
            raise Unresolved(f"{path}:{func.lineno}: {func.name}({param}) is never called")
        for caller_path, call in callers:
            arg: ast.expr | None = None
            if position is not None and position < len(call.args):
                arg = call.args[position]
                if isinstance(arg, ast.Starred):
                    raise Unresolved(f"{caller_path}:{call.lineno}: *args")
            for kw in call.keywords:
                if kw.arg == param:
                    arg = kw.value
            if arg is None:
                continue  # another function of the same name, or a default: no type from here
            out |= self.resolve(arg, caller_path)
        return out


def _sinks(index: _Index) -> Iterator[tuple[str, ast.expr]]:
    for path, tree in index.modules.items():
        if path in ("billing/services/journal.py", "core/events.py"):
            continue  # the writers themselves pass `type` through
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in SINK_CALLS:
                if _callee(node) == "record" and not (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "events"
                ):
                    continue
                for kw in node.keywords:
                    if kw.arg == "type":
                        yield path, kw.value
            elif isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if {"type", "subject_type", "subject_id"} <= keys:
                    for k, v in zip(node.keys, node.values, strict=True):
                        if isinstance(k, ast.Constant) and k.value == "type":
                            yield path, v


def scan(root: Path = ROOT) -> Scan:
    index = _Index(root)
    resolver = _Resolver(index)
    result = Scan()
    for path, expr in _sinks(index):
        try:
            found = resolver.resolve(expr, path)
        except Unresolved as exc:
            result.unresolved.append(str(exc))
            continue
        for type_ in found:
            result.types.setdefault(type_, set()).add(f"{path}:{expr.lineno}")
    return result


if __name__ == "__main__":
    found = scan()
    for t in sorted(found.types):
        print(t, sorted(found.types[t])[0])
    for u in found.unresolved:
        print("UNRESOLVED", u)
