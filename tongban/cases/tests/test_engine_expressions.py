"""The restricted condition language: the whitelist holds, whatever the input."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.cases.engine.expressions import (
    FUNCTIONS,
    ExpressionError,
    RestrictedEnvironment,
    RestrictedScriptEngine,
    check_expression,
    evaluate,
)

DATA = {"approved": True, "score": 7, "dept": "SCJG", "items": ["a", "b"], "n": 2.5}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("approved", True),
        ("approved == True and score >= 6", True),
        ("not approved or score > 10", False),
        ('dept in ("SCJG", "XF")', True),
        ('dept not in ["HB"]', True),
        ("score * 2 + 1 == 15", True),
        ("score // 2 == 3 and score % 2 == 1", True),
        ("2 ** 10 == 1024", True),
        ("len(items) == 2", True),
        ("max(score, 3) - min(1, 2) == 6", True),
        ("abs(-3) == 3 and round(n) == 2", True),
        ("-score < 0", True),
        ("1 < score < 10", True),
        ("x is None", True),
    ],
)
def test_allowed_expressions_evaluate(expression, expected):
    assert evaluate(expression, {**DATA, "x": None}) == expected
    assert check_expression(expression) is None


@pytest.mark.parametrize(
    "expression",
    [
        '__import__("os").system("true")',
        "().__class__.__bases__[0].__subclasses__()",
        "approved.__class__",
        "items[0]",
        "lambda: 1",
        "[x for x in items]",
        "{x: 1 for x in items}",
        "(x for x in range(10**9))",
        'f"{score}"',
        "(y := 1)",
        "open('/etc/passwd')",
        "eval('1')",
        "exec('1')",
        "getattr(approved, 'real')",
        "print(1)",
        "len(*items)",
        "max(items, key=len)",
        "2 ** 100000",
        "_private == 1",
        "${approved}",
        "#{approved}",
        "= approved",
        "b'bytes' == 1",
        "1 if approved else 2",
        "x" * 600,
    ],
)
def test_forbidden_expressions_are_refused(expression):
    assert check_expression(expression) is not None
    with pytest.raises(ExpressionError):
        evaluate(expression, DATA)


@pytest.mark.parametrize(
    ("expression", "data"),
    [
        ("score * big", {"score": 7, "big": 10**40}),  # operands beyond 128 bits
        ("x * 1000000", {"x": "a"}),  # string repetition bomb
        ("x + x", {"x": [1]}),  # list arithmetic
        ("unknown == 1", {}),
        ("score / 0", {"score": 1}),
        ("2 ** e", {"e": 100000}),  # exponent from data, checked at run time
        ("f == 1", {"f": print}),  # a callable smuggled into the data
        ("len(score)", {"score": 1}),
        ("int(s)", {"s": "9" * 50}),
    ],
)
def test_runtime_limits(expression, data):
    with pytest.raises(ExpressionError):
        evaluate(expression, data)


def test_scripts_and_services_are_refused_by_the_spiff_engine():
    engine = RestrictedScriptEngine()
    with pytest.raises(ExpressionError):
        RestrictedEnvironment().execute("import os", {})
    with pytest.raises(ExpressionError):
        RestrictedEnvironment().call_service({})
    with pytest.raises(ExpressionError):
        engine.validate("__import__('os')")
    assert engine.environment.evaluate("a + 1", {"a": 1}) == 2


# -- property tests ------------------------------------------------------------------------

TOKENS = [
    "approved", "score", "dept", "items", "__import__", "__class__", "__globals__", "os",
    "system", "eval", "exec", "open", "lambda", "for", "in", "if", "else", "and", "or", "not",
    "is", "None", "True", "1", "2", "10", "99999", "0.5", "'a'", '"SCJG"', "(", ")", "[", "]",
    "{", "}", ":", ",", ".", "+", "-", "*", "**", "/", "//", "%", "==", "!=", "<", ">", "<=",
    ">=", "=", ":=", "@", "len", "max", "min", "abs", "getattr", "type", "x", "_", "yield",
    "await", "f'", "${", "#{", "'", "\\",
]  # fmt: skip

FORBIDDEN_NODES = (
    ast.Attribute, ast.Subscript, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
    ast.GeneratorExp, ast.JoinedStr, ast.NamedExpr, ast.IfExp, ast.Starred, ast.Await,
    ast.Yield, ast.YieldFrom, ast.Dict, ast.Slice,
)  # fmt: skip


def _forbidden(text: str) -> bool:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, FORBIDDEN_NODES):
            return True
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return True
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
        ):
            return True
    return False


@settings(max_examples=400, deadline=500)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map(" ".join))
def test_random_token_strings_never_escape_the_whitelist(text):
    """Whatever the text: either refused with ExpressionError, or evaluated to a plain value,
    and anything containing a forbidden construct is always refused."""
    try:
        value = evaluate(text, DATA)
    except ExpressionError:
        return
    assert not _forbidden(text), text
    assert isinstance(value, bool | int | float | str | tuple | list | frozenset | type(None))
    if isinstance(value, int) and not isinstance(value, bool):
        assert value.bit_length() <= 128


def _exprs() -> st.SearchStrategy[ast.expr]:
    names = st.sampled_from(["approved", "score", "dept", "items", "__import__", "_x"]).map(
        lambda n: ast.Name(id=n, ctx=ast.Load())
    )
    consts = st.one_of(
        st.integers(-(10**6), 10**6), st.booleans(), st.text(max_size=5), st.none()
    ).map(ast.Constant)
    leaves = st.one_of(names, consts)

    def extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
        ops = st.sampled_from([ast.Add(), ast.Mult(), ast.Pow(), ast.Sub(), ast.Mod()])
        return st.one_of(
            st.builds(ast.BinOp, children, ops, children),
            st.builds(lambda a, b: ast.BoolOp(op=ast.And(), values=[a, b]), children, children),
            st.builds(
                lambda a, b: ast.Compare(left=a, ops=[ast.Eq()], comparators=[b]),
                children,
                children,
            ),
            st.builds(lambda a: ast.UnaryOp(op=ast.Not(), operand=a), children),
            st.builds(lambda a: ast.Attribute(value=a, attr="__class__", ctx=ast.Load()), children),
            st.builds(
                lambda a: ast.Subscript(value=a, slice=ast.Constant(0), ctx=ast.Load()), children
            ),
            st.builds(
                lambda f, a: ast.Call(func=ast.Name(id=f, ctx=ast.Load()), args=[a], keywords=[]),
                st.sampled_from(["len", "abs", "eval", "getattr", "type", "__import__"]),
                children,
            ),
            st.builds(
                lambda a: ast.ListComp(
                    elt=a,
                    generators=[
                        ast.comprehension(
                            target=ast.Name(id="i", ctx=ast.Store()),
                            iter=ast.Name(id="items", ctx=ast.Load()),
                            ifs=[],
                            is_async=0,
                        )
                    ],
                ),
                children,
            ),
            st.builds(
                lambda a: ast.Lambda(
                    args=ast.arguments(
                        posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
                    ),
                    body=a,
                ),
                children,
            ),
        )

    return st.recursive(leaves, extend, max_leaves=8)


@settings(max_examples=300, deadline=500)
@given(_exprs())
def test_random_asts_never_escape_the_whitelist(tree):
    text = ast.unparse(ast.fix_missing_locations(ast.Expression(body=tree)))
    try:
        value = evaluate(text, DATA)
    except ExpressionError:
        return
    assert not _forbidden(text), text
    assert not callable(value)
