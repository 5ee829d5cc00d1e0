"""Restricted expressions for gateway conditions (no ``eval``, no ``exec``).

Officials draw models in bpmn.io; the conditions on sequence flows must not be able to run
code. SpiffWorkflow evaluates conditions with Python ``eval``; this module replaces that with
a small interpreter over Python's ``ast`` that allows only:

- names (task data keys; not starting with ``_``) and constants (str, int, float, bool, None);
- comparisons (``== != < <= > >= in not in is is not``), ``and``/``or``/``not``;
- arithmetic (``+ - * / // % **``) on numbers only, with bounded magnitudes;
- small literal tuples/lists/sets (for ``x in ("a", "b")``);
- calls of a few whitelisted functions: ``len abs min max round int float bool``.

Everything else — attribute access, subscripts, lambdas, comprehensions, f-strings, walrus,
starred arguments, keyword arguments, other calls — is refused with :class:`ExpressionError`.
The same checker validates conditions statically when a model is imported
(:func:`check_expression`), so a bad condition is caught at publication, not at run time.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

MAX_LENGTH = 500
MAX_NODES = 100
MAX_DEPTH = 20
MAX_INT_BITS = 128
MAX_EXPONENT = 64
MAX_STR = 1000
MAX_SEQUENCE = 50


class ExpressionError(ValueError):
    """An expression was refused or failed. ``reason`` is a short English text."""

    def __init__(self, reason: str, expression: str = "") -> None:
        super().__init__(f"{reason}: {expression!r}" if expression else reason)
        self.reason = reason
        self.expression = expression


def _checked_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError("number too large")
    if isinstance(value, float) and value != value:  # NaN
        raise ExpressionError("not a number")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float)


def _pow(base: Any, exp: Any) -> Any:
    if not isinstance(exp, int) or isinstance(exp, bool):
        if isinstance(exp, float) and exp.is_integer():
            exp = int(exp)
        elif isinstance(exp, float):
            return float(base) ** exp if base >= 0 else _refuse("fractional power of a negative")
        else:
            _refuse("bad exponent")
    if abs(exp) > MAX_EXPONENT:
        _refuse("exponent too large")
    if isinstance(base, int) and base.bit_length() * max(exp, 0) > MAX_INT_BITS:
        _refuse("number too large")
    if base == 0 and exp < 0:
        _refuse("division by zero")
    return base**exp


def _refuse(reason: str) -> Any:
    raise ExpressionError(reason)


def _div(a: Any, b: Any) -> Any:
    if b == 0:
        _refuse("division by zero")
    return a / b


def _floordiv(a: Any, b: Any) -> Any:
    if b == 0:
        _refuse("division by zero")
    return a // b


def _mod(a: Any, b: Any) -> Any:
    if b == 0:
        _refuse("division by zero")
    return a % b


_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _div,
    ast.FloorDiv: _floordiv,
    ast.Mod: _mod,
    ast.Pow: _pow,
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def _safe_len(value: Any) -> int:
    if not isinstance(value, str | list | tuple | dict | set | frozenset):
        _refuse("len() of a non-collection")
    return len(value)


def _safe_int(value: Any) -> int:
    if isinstance(value, str) and len(value) > 40:
        _refuse("number too large")
    if not isinstance(value, str | int | float | bool):
        _refuse("int() of a non-scalar")
    return int(_checked_number(value) if not isinstance(value, str) else value)


def _safe_float(value: Any) -> float:
    if isinstance(value, str) and len(value) > 40:
        _refuse("number too large")
    if not isinstance(value, str | int | float | bool):
        _refuse("float() of a non-scalar")
    return float(value)


def _safe_minmax(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if not args or len(args) > MAX_SEQUENCE:
            _refuse("bad arguments")
        if len(args) == 1 and not isinstance(args[0], list | tuple | set | frozenset):
            _refuse("bad arguments")
        return fn(*args)

    return call


def _safe_round(value: Any, ndigits: Any = None) -> Any:
    if not _is_number(value) or (ndigits is not None and not isinstance(ndigits, int)):
        _refuse("round() of a non-number")
    if ndigits is not None and abs(ndigits) > 20:
        _refuse("bad arguments")
    return round(value, ndigits)


def _safe_abs(value: Any) -> Any:
    if not _is_number(value):
        _refuse("abs() of a non-number")
    return abs(value)


#: The only callables a condition may use.
FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "len": _safe_len,
    "abs": _safe_abs,
    "min": _safe_minmax(min),
    "max": _safe_minmax(max),
    "round": _safe_round,
    "int": _safe_int,
    "float": _safe_float,
    "bool": bool,
}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Call,
    *_BINOPS,
    *_COMPARE,
)


def _parse(expression: str) -> ast.Expression:
    if not isinstance(expression, str):
        raise ExpressionError("not a text")
    text = expression.strip()
    if not text:
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError("expression too long", expression[:40])
    if text.startswith(("${", "#{", "=")):
        raise ExpressionError("JUEL/FEEL expressions are not supported", expression)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError("not a valid expression", expression) from exc
    _check_tree(tree, expression)
    return tree


def _check_tree(tree: ast.AST, expression: str) -> None:
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError("expression too complex", expression)
        if depth > MAX_DEPTH:
            raise ExpressionError("expression nested too deeply", expression)
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"{type(node).__name__} is not allowed", expression)
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError("names starting with '_' are not allowed", expression)
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, str | int | float | bool | type(None)):
                raise ExpressionError("this constant is not allowed", expression)
            if isinstance(node.value, str) and len(node.value) > MAX_STR:
                raise ExpressionError("text constant too long", expression)
            if isinstance(node.value, int) and node.value.bit_length() > MAX_INT_BITS:
                raise ExpressionError("number too large", expression)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExpressionError(
                    "only len, abs, min, max, round, int, float, bool may be called", expression
                )
            if node.keywords:
                raise ExpressionError("keyword arguments are not allowed", expression)
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Pow)
            and isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, int | float)
            and abs(node.right.value) > MAX_EXPONENT
        ):
            raise ExpressionError("exponent too large", expression)
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and len(node.elts) > MAX_SEQUENCE:
            raise ExpressionError("literal too long", expression)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))


def check_expression(expression: str) -> str | None:
    """Return ``None`` if the expression is allowed, else the English reason."""
    try:
        _parse(expression)
    except ExpressionError as exc:
        return exc.reason
    return None


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate ``expression`` over ``names`` under the whitelist; never runs Python code."""
    tree = _parse(expression)
    try:
        return _Evaluator(names).visit(tree.body)
    except ExpressionError as exc:
        if not exc.expression:
            raise ExpressionError(exc.reason, expression) from None
        raise
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, RecursionError) as exc:
        raise ExpressionError(f"cannot evaluate ({type(exc).__name__})", expression) from None


class _Evaluator:
    def __init__(self, names: Mapping[str, Any]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.names:
                value = self.names[node.id]
                if callable(value):
                    _refuse("a name refers to a function")
                return value
            if node.id in FUNCTIONS:
                _refuse("a function is not a value")
            raise ExpressionError(f"unknown name {node.id!r}")
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                result: Any = True
                for value in node.values:
                    result = self.visit(value)
                    if not result:
                        return result
                return result
            result = False
            for value in node.values:
                result = self.visit(value)
                if result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            if isinstance(node.op, ast.Not):
                return not operand
            if not _is_number(operand):
                _refuse("arithmetic on a non-number")
            return -operand if isinstance(node.op, ast.USub) else +operand
        if isinstance(node, ast.BinOp):
            left = _checked_number(self.visit(node.left))
            right = _checked_number(self.visit(node.right))
            if not (_is_number(left) and _is_number(right)):
                _refuse("arithmetic is allowed on numbers only")
            return _checked_number(_BINOPS[type(node.op)](left, right))
        if isinstance(node, ast.Compare):
            left = self.visit(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.visit(comparator)
                if isinstance(op, ast.In | ast.NotIn) and not isinstance(
                    right, str | list | tuple | set | frozenset | dict
                ):
                    _refuse("'in' needs a text or a collection")
                if (
                    isinstance(op, ast.In | ast.NotIn)
                    and isinstance(right, str)
                    and not isinstance(left, str)
                ):
                    _refuse("'in' on a text needs a text")
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.Tuple):
            return tuple(self.visit(e) for e in node.elts)
        if isinstance(node, ast.List):
            return [self.visit(e) for e in node.elts]
        if isinstance(node, ast.Set):
            return frozenset(self.visit(e) for e in node.elts)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            args = [self.visit(a) for a in node.args]
            return _checked_number(FUNCTIONS[node.func.id](*args))
        raise ExpressionError(f"{type(node).__name__} is not allowed")  # pragma: no cover


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment whose ``evaluate`` goes through :func:`evaluate`.

    ``execute`` (script tasks) and ``call_service`` always refuse: the profile forbids
    both, this is the second line of defence.
    """

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Any = None
    ) -> Any:
        names = dict(external_context or {})
        names.update(context)
        return evaluate(expression, names)

    def execute(self, script: str, context: Any, external_context: Any = None) -> Any:
        raise ExpressionError("scripts are not allowed")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionError("service calls are not allowed")


class RestrictedScriptEngine(PythonScriptEngine):
    """The script engine every tongban workflow runs with (set again after each load).

    ``runtime`` carries the clock and the working-day calendar that timers read.
    """

    def __init__(self, runtime: Any = None) -> None:
        super().__init__(environment=RestrictedEnvironment())
        self.runtime = runtime

    def validate(self, expression: str) -> None:
        _parse(expression)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise WorkflowTaskException("Scripts are not allowed", task=task)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException("Service calls are not allowed", task=task)
