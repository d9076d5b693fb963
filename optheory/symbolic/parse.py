"""Safe parsing of user text into sympy expressions.

User text never reaches Python's evaluator or sympy's string parser.  The text
is parsed by :func:`ast.parse` in expression mode and the resulting syntax tree
is walked with a strict whitelist; every accepted node is translated into a
sympy object by calling sympy constructors directly.

Accepted grammar
----------------
* numbers: ``int`` and ``float`` literals.  A float literal is converted
  *exactly* from its decimal text (``0.1`` becomes ``Rational(1, 10)``, not the
  binary double nearest to 0.1), so objectives typed with decimals stay
  rational and the symbolic layer can work in exact arithmetic;
* variables: ASCII identifiers without a leading underscore that are neither
  Python keywords nor one of the function/constant names below; each becomes
  ``Symbol(name, real=True)``;
* constants ``pi`` and ``E``;
* operators ``+ - * / **`` and unary ``-`` / ``+``;
* calls, by bare name only and without keywords, of ``sin cos tan exp log sqrt
  sinh cosh tanh Abs abs sign Min Max Piecewise``;
* ``Piecewise((expr, cond), ..., (expr, True))`` where a condition is a
  comparison with ``< <= > >=`` (chains such as ``0 < x < 1`` allowed), ``and``
  / ``or`` of conditions, or the constant ``True`` as the last condition.  The
  sides of a comparison contain no ``Piecewise`` (sympy would turn the
  condition into sets, which can take minutes), and a comparison of two
  constants must be decidable (``1 <= tanh(999)`` is not, and makes
  ``Piecewise`` loop).

The result is real: complex constants (``sqrt(-1)``, ``log(-2)``,
``(-8)**(1/3)``, a negative constant to a symbolic power) and infinities
(``1/0``) are rejected; complex constants are also refused as soon as they
appear, because sympy's comparisons can spend exponential time on them.

Size guards
-----------
Exact arithmetic is cheap except where sympy creates huge integers or needs
huge precision, so before or right after each sympy object is built:

* an exponent's rational parts have numerators and denominators of at most
  :data:`MAX_EXPONENT` in magnitude (``9**9**9**9`` stops at ``9**387420489``
  without computing it), and a power of a sum may expand into at most
  :data:`MAX_EXPANSION_TERMS` terms;
* for a numeric base ``b`` (also under a symbolic exponent: ``2**(x + 10**9)``
  is expanded by ``expand`` and by comparisons), every rational ``p/q`` in the
  exponent has ``digits(b) * |p|`` at most :data:`MAX_POWER_DIGITS` (``q = 1``)
  or :data:`MAX_ROOT_DIGITS` (``q > 1``: integer roots cost far more than
  products); ``digits(b)`` is the total decimal length of the rationals in
  ``b``, an upper bound of what sympy raises to the power; ``exp(a)`` is
  ``E**a``.  These bounds are checked before the power is formed;
* sympy rewrites ``c*log(a)`` as ``log(a**c)`` (inside ``exp`` and in
  ``simplify``), so each such term with a constant ``a`` passes the same test
  as ``a**c``;
* no rational number has more than :data:`MAX_POWER_DIGITS` digits (Python
  refuses to print integers longer than 4300 digits);
* every constant subexpression stays within the double-precision range, which
  bounds the working precision of sympy's numerical comparisons
  (``sinh(cosh(1000))`` would exhaust memory in ``Min`` or a condition);
* the text length, the nesting depth, integer literals (at most
  :data:`MAX_INT_DIGITS` digits) and the arguments of ``Min``/``Max`` (at most
  :data:`MAX_MINMAX_ARGS`, sympy compares them pairwise) are bounded.

Every rejection is a :class:`ValueError` with a one-line message that names the
offending construct and its column.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from types import MappingProxyType

import sympy

from optheory._checks import check_positive_int

__all__ = [
    "FUNCTIONS",
    "MAX_EXPANSION_TERMS",
    "MAX_EXPONENT",
    "MAX_INT_DIGITS",
    "MAX_MINMAX_ARGS",
    "MAX_POWER_DIGITS",
    "MAX_ROOT_DIGITS",
    "parse_expression",
    "parse_variables",
]

#: Largest magnitude of a numerator or denominator in an exponent.
MAX_EXPONENT = 1000
#: Largest estimated number of decimal digits of an exact integer power, and of
#: any rational number in a parsed expression.
MAX_POWER_DIGITS = 1000
#: Most terms the expansion of a power of a sum may have (a binomial up to the
#: 1000th power); sympy expands such powers when it asks for signs or real parts.
MAX_EXPANSION_TERMS = 1001
#: Largest estimated digits of the radicand of an exact root (fractional power).
MAX_ROOT_DIGITS = 400
#: Largest number of digits of an integer literal (and significant digits of a
#: float literal).
MAX_INT_DIGITS = 100
#: Most arguments of one Min or Max, counting those of nested Min/Max that
#: sympy merges into it: sympy compares the arguments pairwise, and 60 symbolic
#: arguments already take seconds.
MAX_MINMAX_ARGS = 10
#: Most negative decimal exponent of a float literal (``1e-400``); keeps the
#: exact rational small.
_MIN_FLOAT_EXPONENT = -400

_LOG10_2 = math.log10(2.0)

#: Whitelisted functions: name -> (sympy constructor, min args, max args).
FUNCTIONS: Mapping[str, tuple[Callable[..., sympy.Basic], int, int | None]] = MappingProxyType({
    "sin": (sympy.sin, 1, 1),
    "cos": (sympy.cos, 1, 1),
    "tan": (sympy.tan, 1, 1),
    "exp": (sympy.exp, 1, 1),
    "log": (sympy.log, 1, 1),
    "sqrt": (sympy.sqrt, 1, 1),
    "sinh": (sympy.sinh, 1, 1),
    "cosh": (sympy.cosh, 1, 1),
    "tanh": (sympy.tanh, 1, 1),
    "Abs": (sympy.Abs, 1, 1),
    "abs": (sympy.Abs, 1, 1),
    "sign": (sympy.sign, 1, 1),
    "Min": (sympy.Min, 1, None),
    "Max": (sympy.Max, 1, None),
})
_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "E": sympy.E}
_RESERVED = frozenset(FUNCTIONS) | frozenset(_CONSTANTS) | {"Piecewise", "True", "False", "None"}
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_COMPARISONS: dict[type, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
}
_OPERATOR_TEXT: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_NODE_TEXT: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Slice: "slice",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Starred: "starred expression",
    ast.NamedExpr: "assignment expression (:=)",
    ast.IfExp: "conditional expression (if/else)",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Tuple: "tuple outside Piecewise",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


def _digits(number: sympy.Rational) -> float:
    """Decimal length of numerator plus denominator, from bit lengths (no str())."""
    bits = int(number.p).bit_length() + int(number.q).bit_length()
    return max(1.0, bits * _LOG10_2)


def _number_digits(expr: sympy.Basic) -> float:
    """Total decimal length of the rational numbers inside ``expr``."""
    return sum(_digits(r) for r in expr.atoms(sympy.Rational))


def _short(expr: sympy.Basic) -> str:
    try:
        text = str(expr)
    except ValueError:  # an integer too long for str(); cannot happen after the digit check
        text = type(expr).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _power_problem(base: sympy.Basic, exponent: sympy.Basic) -> str | None:
    """Why sympy must not form ``base**exponent`` (None if it may).

    Checked before the power exists (and again on powers sympy creates):

    * the rationals ``p/q`` in the exponent have ``|p|, q <= MAX_EXPONENT``,
      whatever the base except ``E`` under a symbolic exponent (``exp(2000*x)``
      is harmless; ``Max(x, y)**(10**28*x)`` sends sign queries into
      enormous expansions);
    * a power of a sum of ``k`` terms with integer part ``n`` in its exponent
      may be expanded by sympy's assumption queries into
      ``comb(n + k - 1, k - 1)`` terms: at most :data:`MAX_EXPANSION_TERMS`;
    * for a numeric base, ``digits(base) * |p|`` bounds the size of the exact
      integers sympy computes, also under a symbolic exponent
      (``2**(x + 10**9)`` is expanded to ``2**x * 2**(10**9)``).
    """
    rationals = [exponent] if exponent.is_Rational else list(exponent.atoms(sympy.Rational))
    if base != sympy.E or exponent.is_number:
        for r in rationals:
            if abs(r.p) > MAX_EXPONENT or r.q > MAX_EXPONENT:
                return (
                    f"exponent {_short(r)} is too large (its numerator and denominator must be"
                    f" at most {MAX_EXPONENT} in magnitude)"
                )
    if base.is_Add:
        n = max((abs(int(r.p)) // int(r.q) for r in rationals), default=0)
        terms = math.comb(n + len(base.args) - 1, len(base.args) - 1)
        if terms > MAX_EXPANSION_TERMS:
            return (
                f"power of a sum is too large (it expands into {terms} terms, "
                f"limit {MAX_EXPANSION_TERMS})"
            )
    if not base.is_number:
        return None
    base_digits = _number_digits(base)
    for r in rationals:
        integral = r.q == 1
        estimate = base_digits * abs(int(r.p))
        limit = MAX_POWER_DIGITS if integral else MAX_ROOT_DIGITS
        if estimate > limit:
            kind = "power" if integral else "root"
            return f"numeric {kind} is too large (about {estimate:.0f} digits, limit {limit})"
    return None


def _log_problem(expr: sympy.Basic) -> str | None:
    """Guard the rewrite ``c*log(a) -> log(a**c)`` that sympy applies inside
    ``exp`` and in ``simplify``: each such term must pass :func:`_power_problem`
    and the logarithms of one sum must combine into a number of bounded size."""
    total = 0.0
    for term in sympy.Add.make_args(expr):
        coeff, rest = term.as_coeff_Mul()
        for factor in sympy.Mul.make_args(rest):
            if isinstance(factor, sympy.log) and factor.args[0].is_number:
                exponent = coeff if coeff.is_Rational else sympy.Integer(1)
                problem = _power_problem(factor.args[0], exponent)
                if problem:
                    return problem
                total += _number_digits(factor.args[0]) * max(1, abs(int(exponent.p)))
    if total > MAX_POWER_DIGITS:
        return f"logarithms of constants are too large to combine (about {total:.0f} digits)"
    return None


def _sign(value: float) -> float:
    return math.copysign(1.0, value) if value else 0.0


def _log_abs(value: float) -> float:
    if value == 0:
        raise ValueError("log(0)")
    return math.log(abs(value))


#: Double-precision stand-ins used to estimate the size of numeric subexpressions.
_FLOAT_FUNCTIONS: dict[type, Callable[[float], float]] = {
    sympy.exp: math.exp,
    sympy.log: _log_abs,
    sympy.sin: math.sin,
    sympy.cos: math.cos,
    sympy.tan: math.tan,
    sympy.sinh: math.sinh,
    sympy.cosh: math.cosh,
    sympy.tanh: math.tanh,
    sympy.Abs: abs,
    sympy.sign: _sign,
}


def _float_value(expr: sympy.Basic, args: list[float | None]) -> float | None:
    """Double approximation of ``expr`` from those of its arguments, or None."""
    if expr.is_Rational:
        return int(expr.p) / int(expr.q)
    if expr.is_NumberSymbol:
        return float(expr)
    known = [a for a in args if a is not None]
    if not args or len(known) != len(args):
        return None
    if expr.is_Add:
        return math.fsum(known)
    if expr.is_Mul:
        if 0.0 in known:
            return 0.0
        sign = math.prod(_sign(a) for a in known)
        return sign * math.exp(math.fsum(math.log(abs(a)) for a in known))
    if expr.is_Pow:
        return math.pow(abs(known[0]), known[1])
    if type(expr) in _FLOAT_FUNCTIONS and len(known) == 1:
        return _FLOAT_FUNCTIONS[type(expr)](known[0])
    if isinstance(expr, sympy.Min):
        return min(known)
    if isinstance(expr, sympy.Max):
        return max(known)
    return None


class _Rejected(Exception):
    """Raised by :class:`_Guard` with the one-line reason."""


class _Guard:
    """Checks every node sympy has built, once (memoized).

    For each node: rational numbers have at most :data:`MAX_POWER_DIGITS`
    digits; powers pass :func:`_power_problem` (sympy may create new ones while
    simplifying); sums and products pass :func:`_log_problem`; and every
    constant subexpression that can be approximated in double precision stays
    finite.  The last rule bounds the precision sympy's numerical evaluation
    (used in comparisons, ``sign``, ``Min``...) can need: ``sinh(cosh(1000))``
    would otherwise exhaust memory.
    """

    def __init__(self) -> None:
        self.cache: dict[sympy.Basic, float | None] = {}

    def visit(self, expr: sympy.Basic) -> float | None:
        if expr in self.cache:
            return self.cache[expr]
        args = [self.visit(arg) for arg in expr.args]
        problem = None
        if expr.is_Rational and _digits(expr) > MAX_POWER_DIGITS:
            problem = f"a number is longer than {MAX_POWER_DIGITS} digits"
        elif expr is sympy.I:
            problem = "the expression is not real (it contains the imaginary unit)"
        elif expr.is_Pow:
            problem = _power_problem(expr.args[0], expr.args[1])
            base = args[0]
            if not problem and base is not None and base < 0 and expr.args[1].is_integer is not True:
                # complex constants also send sympy's comparisons into exponential work
                problem = (
                    "a negative constant raised to a non-integer power is not real"
                    f" ({_short(expr)})"
                )
        elif expr.is_Add or expr.is_Mul or isinstance(expr, sympy.log):
            problem = _log_problem(expr)
        if problem:
            raise _Rejected(problem)
        try:
            value = _float_value(expr, args)
        except OverflowError:
            value = math.inf
        except (ValueError, ZeroDivisionError):
            value = None
        if value is not None and not math.isfinite(value):
            raise _Rejected(f"the constant {_short(expr)} exceeds the double-precision range")
        self.cache[expr] = value
        return value


class _Parser:
    def __init__(self, text: str, allowed: frozenset[str] | None, max_depth: int) -> None:
        self.text = text
        self.allowed = allowed
        self.max_depth = max_depth
        self.guard = _Guard()

    # -- error helpers -------------------------------------------------
    def fail(self, what: str, node: ast.AST | None = None) -> ValueError:
        where = ""
        if isinstance(node, ast.expr):
            segment = ast.get_source_segment(self.text, node) or ""
            if len(segment) > 60:
                segment = segment[:57] + "..."
            where = f": {segment!r} at {self.position(node)}"
        return ValueError(f"{what} in expression{where}".replace("\n", " "))

    def position(self, node: ast.expr) -> str:
        """'column C' (or 'line L column C'), counting characters, not UTF-8 bytes."""
        lines = self.text.splitlines() or [""]
        line = lines[min(node.lineno, len(lines)) - 1]
        column = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", "ignore"))
        prefix = f"line {node.lineno} " if node.lineno > 1 else ""
        return f"{prefix}column {column + 1}"

    def build(self, node: ast.AST, what: str, func: Callable[[], sympy.Basic]) -> sympy.Basic:
        """Call a sympy constructor, turn its errors into ValueError, guard the result."""
        try:
            result = func()
        except (TypeError, ValueError, ArithmeticError, NotImplementedError) as exc:
            detail = (str(exc).splitlines() or [""])[0]
            reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
            raise self.fail(f"cannot build {what} ({reason})", node) from None
        except (MemoryError, RecursionError):
            raise self.fail(f"{what} is too expensive to build", node) from None
        try:
            self.guard.visit(result)
        except _Rejected as exc:
            raise self.fail(str(exc), node) from None
        return result

    def check_power(self, base: sympy.Basic, exponent: sympy.Basic, node: ast.AST) -> None:
        """Refuse ``base**exponent`` before sympy computes it."""
        problem = _power_problem(base, exponent)
        if problem:
            raise self.fail(problem, node)

    # -- names -------------------------------------------------------------
    def name(self, node: ast.Name) -> sympy.Expr:
        ident = node.id
        if ident in _CONSTANTS:
            return _CONSTANTS[ident]
        if ident in FUNCTIONS or ident == "Piecewise":
            raise self.fail(f"function name {ident!r} used as a variable", node)
        _check_variable_name(ident, lambda msg: self.fail(msg, node))
        if self.allowed is not None and ident not in self.allowed:
            names = ", ".join(sorted(self.allowed)) or "none"
            raise self.fail(f"unknown variable {ident!r} (allowed: {names})", node)
        return sympy.Symbol(ident, real=True)

    # -- expressions ---------------------------------------------------------
    def expr(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > self.max_depth:
            raise self.fail(f"nesting deeper than max_depth={self.max_depth}", node)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.expr(node.operand, depth + 1)
                return self.build(node, "negation", lambda: -operand)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth + 1)
            raise self.operator(node.op, node)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, _ADDITIVE):
                return self.sum(node, depth)
            if isinstance(node.op, _MULTIPLICATIVE):
                return self.product(node, depth)
            if isinstance(node.op, ast.Pow):
                base = self.expr(node.left, depth + 1)
                exponent = self.expr(node.right, depth + 1)
                return self.power(base, exponent, node)
            raise self.operator(node.op, node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Compare | ast.BoolOp):
            raise self.fail("a comparison is only allowed as a Piecewise condition", node)
        raise self.fail(f"{_NODE_TEXT.get(type(node), type(node).__name__)} is not allowed", node)

    def operator(self, op: ast.AST, node: ast.AST) -> ValueError:
        text = _OPERATOR_TEXT.get(type(op), type(op).__name__)
        return self.fail(f"operator {text!r} is not allowed", node)

    def constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool):
            raise self.fail(f"{value} is only allowed as the last Piecewise condition", node)
        if isinstance(value, int):
            if abs(value) >= 10**MAX_INT_DIGITS:
                raise self.fail(f"integer literal longer than {MAX_INT_DIGITS} digits", node)
            return sympy.Integer(value)
        if isinstance(value, float):
            return self.float_literal(node, value)
        kind = {str: "string", bytes: "bytes", complex: "complex number"}.get(type(value))
        raise self.fail(f"{kind or repr(value)} literal is not allowed", node)

    def float_literal(self, node: ast.Constant, value: float) -> sympy.Expr:
        if not math.isfinite(value):
            raise self.fail("float literal overflows", node)
        source = ast.get_source_segment(self.text, node) or repr(value)
        try:
            dec = Decimal(source)
        except InvalidOperation:
            dec = Decimal(repr(value))
        parts = dec.as_tuple()
        exponent = parts.exponent
        if not isinstance(exponent, int) or exponent < _MIN_FLOAT_EXPONENT:
            raise self.fail("float literal is too small (underflows)", node)
        if len(parts.digits) > MAX_INT_DIGITS:
            raise self.fail(f"float literal has more than {MAX_INT_DIGITS} digits", node)
        p, q = dec.as_integer_ratio()
        return sympy.Rational(p, q)

    def chain(self, node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[ast.AST, ast.AST]]:
        """Flatten a left-leaning chain ``a op b op c`` iteratively: [(op, operand)]."""
        items: list[tuple[ast.AST, ast.AST]] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ops):
            items.append((current.op, current.right))
            current = current.left
        items.append((ops[0](), current))
        items.reverse()
        return items

    def sum(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        terms = []
        for op, operand in self.chain(node, _ADDITIVE):
            value = self.expr(operand, depth + 1)
            terms.append(-value if isinstance(op, ast.Sub) else value)
        return self.build(node, "sum", lambda: sympy.Add(*terms))

    def product(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        factors = []
        for op, operand in self.chain(node, _MULTIPLICATIVE):
            value = self.expr(operand, depth + 1)
            if isinstance(op, ast.Div):
                factors.append(self.build(operand, "division", partial(sympy.Pow, value, -1)))
            else:
                factors.append(value)
        return self.build(node, "product", lambda: sympy.Mul(*factors))

    def power(self, base: sympy.Expr, exponent: sympy.Expr, node: ast.AST) -> sympy.Expr:
        self.check_power(base, exponent, node)
        return self.build(node, "power", lambda: sympy.Pow(base, exponent))

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.fail("calling anything but a whitelisted function name is not allowed", node)
        if node.keywords:
            raise self.fail(f"keyword arguments to {func.id!r} are not allowed", node)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail("starred expression is not allowed", arg)
        if func.id == "Piecewise":
            return self.piecewise(node, depth)
        if func.id not in FUNCTIONS:
            allowed = ", ".join([*FUNCTIONS, "Piecewise"])
            raise self.fail(f"unknown function {func.id!r} (allowed: {allowed})", node)
        constructor, low, high = FUNCTIONS[func.id]
        count = len(node.args)
        if count < low or (high is not None and count > high):
            expected = str(low) if high == low else f"at least {low}"
            raise self.fail(f"{func.id} takes {expected} argument(s), got {count}", node)
        args = [self.expr(arg, depth + 1) for arg in node.args]
        if func.id in ("Min", "Max"):
            kind = sympy.Min if func.id == "Min" else sympy.Max
            merged = sum(len(a.args) if isinstance(a, kind) else 1 for a in args)
            if merged > MAX_MINMAX_ARGS:
                raise self.fail(
                    f"{func.id} of {merged} arguments (nested ones included) is too large; "
                    f"at most {MAX_MINMAX_ARGS} are allowed",
                    node,
                )
        if func.id == "exp":
            self.check_power(sympy.E, args[0], node)
        if func.id == "sqrt":
            self.check_power(args[0], sympy.Rational(1, 2), node)
        return self.build(node, f"{func.id}(...)", lambda: constructor(*args))

    def piecewise(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not node.args:
            raise self.fail("Piecewise needs at least one (expression, condition) pair", node)
        pairs = []
        last = len(node.args) - 1
        for index, arg in enumerate(node.args):
            if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 2):
                raise self.fail("Piecewise arguments must be (expression, condition) pairs", arg)
            if depth + 1 > self.max_depth:
                raise self.fail(f"nesting deeper than max_depth={self.max_depth}", arg)
            piece_node, cond_node = arg.elts
            piece = self.expr(piece_node, depth + 2)
            if isinstance(cond_node, ast.Constant) and cond_node.value is True:
                if index != last:
                    raise self.fail("True is only allowed as the last Piecewise condition", arg)
                cond: sympy.Basic = sympy.true
            else:
                cond = self.condition(cond_node, depth + 2)
            pairs.append((piece, cond))
        return self.build(node, "Piecewise", lambda: sympy.Piecewise(*pairs))

    def relation(
        self,
        relate: Callable[[sympy.Expr, sympy.Expr], sympy.Basic],
        left: sympy.Expr,
        right: sympy.Expr,
        node: ast.AST,
    ) -> sympy.Basic:
        result = self.build(node, "comparison", lambda: relate(left, right))
        if not isinstance(result, sympy.logic.boolalg.BooleanAtom) and not result.free_symbols:
            # sympy could not decide it (e.g. 1 <= tanh(999)); Piecewise would then loop on it
            raise self.fail(f"cannot decide the comparison of constants {_short(result)}", node)
        return result

    def condition(self, node: ast.AST, depth: int) -> sympy.Basic:
        if depth > self.max_depth:
            raise self.fail(f"nesting deeper than max_depth={self.max_depth}", node)
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(value, depth + 1) for value in node.values]
            combine = sympy.And if isinstance(node.op, ast.And) else sympy.Or
            return self.build(node, "condition", lambda: combine(*parts))
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARISONS:
                    raise self.operator(op, node)
            operands = [self.expr(node.left, depth + 1)]
            operands += [self.expr(value, depth + 1) for value in node.comparators]
            if any(operand.has(sympy.Piecewise) for operand in operands):
                # sympy turns such a condition into sets (as_set), which can take minutes
                raise self.fail("a Piecewise inside a Piecewise condition is not allowed", node)
            relations = [
                self.relation(_COMPARISONS[type(op)], operands[i], operands[i + 1], node)
                for i, op in enumerate(node.ops)
            ]
            return self.build(node, "condition", lambda: sympy.And(*relations))
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            raise self.fail(f"{node.value} is only allowed as the last Piecewise condition", node)
        raise self.fail("a Piecewise condition must be a comparison (<, <=, >, >=)", node)


def _check_variable_name(ident: str, error: Callable[[str], ValueError]) -> None:
    if ident.startswith("_"):
        raise error(f"name {ident!r} starting with an underscore is not allowed")
    if not _NAME_RE.match(ident):
        raise error(f"variable name {ident!r} must be ASCII letters, digits and '_'")
    if keyword.iskeyword(ident) or keyword.issoftkeyword(ident):
        raise error(f"variable name {ident!r} is a Python keyword")
    if ident in _RESERVED:
        raise error(f"{ident!r} is a reserved function or constant name")


def _allowed_names(variables: Iterable[str | sympy.Symbol] | None) -> frozenset[str] | None:
    if variables is None:
        return None
    if isinstance(variables, str | bytes):
        raise ValueError("variables must be a list of names, not a single string")
    names = []
    for item in variables:
        name = item.name if isinstance(item, sympy.Symbol) else item
        if not isinstance(name, str):
            raise ValueError(f"variables must hold names or sympy Symbols, got {item!r}")
        _check_variable_name(name, lambda msg: ValueError(f"variables: {msg}"))
        names.append(name)
    return frozenset(names)


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def parse_expression(
    text: str,
    variables: Iterable[str | sympy.Symbol] | None = None,
    *,
    max_length: int = 2000,
    max_depth: int = 50,
) -> sympy.Expr:
    """Parse user text into a real-valued sympy expression, safely.

    Parameters
    ----------
    text : str
        The expression, in Python syntax restricted to the grammar described in
        the module docstring, e.g. ``"0.1*x1**2 + 2*x2**2"``.
    variables : iterable of str or sympy.Symbol, optional
        If given, the only variable names the text may use.
    max_length : int, default 2000
        Longest accepted text, in characters.
    max_depth : int, default 50
        Deepest accepted nesting of brackets and of syntax-tree nodes (a flat
        chain ``a + b - c + ...`` or ``a * b / c ...`` counts as one level).

    Returns
    -------
    sympy.Expr
        The expression; variables are ``Symbol(name, real=True)`` and float
        literals are exact rationals of their decimal text (``0.1 -> 1/10``).

    Raises
    ------
    ValueError
        With a one-line message naming the rejected construct and its column,
        for anything outside the whitelist, for text that is too long or too
        deeply nested, for numbers that would be too large to compute, and for
        expressions that evaluate to a non-real or infinite constant.
    """
    max_length = check_positive_int("max_length", max_length)
    max_depth = check_positive_int("max_depth", max_depth)
    if not isinstance(text, str):
        raise ValueError(f"expression must be a string, got {type(text).__name__}")
    if len(text) > max_length:
        raise ValueError(f"expression is longer than max_length={max_length} characters")
    if not text.strip():
        raise ValueError("expression is empty")
    if _bracket_depth(text) > max_depth:
        raise ValueError(f"expression nests brackets deeper than max_depth={max_depth}")
    allowed = _allowed_names(variables)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        hint = " ('lambda' is a Python keyword: write 'lam')" if "lambda" in text else ""
        message = ((exc.msg or "").splitlines() or ["invalid syntax"])[0]
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ValueError(f"invalid expression syntax{where}: {message}{hint}") from None
    except (ValueError, MemoryError, RecursionError, Warning) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ValueError(f"invalid expression: {reason}") from None

    parser = _Parser(text, allowed, max_depth)
    result = parser.expr(tree.body, 1)
    bad = [c for c in (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I) if result.has(c)]
    if bad:
        raise ValueError(f"expression evaluates to a non-real or infinite constant ({bad[0]})")
    return result


def _natural_key(name: str) -> tuple[list[int | str], str]:
    chunks: list[int | str] = [
        int(chunk) if chunk.isdigit() else chunk for chunk in re.split(r"(\d+)", name)
    ]
    return chunks, name


def parse_variables(expr: sympy.Basic) -> tuple[sympy.Symbol, ...]:
    """Return the free symbols of ``expr`` in natural order (x1, x2, ..., x10).

    Parameters
    ----------
    expr : sympy.Basic
        Typically the result of :func:`parse_expression`.

    Returns
    -------
    tuple of sympy.Symbol
        Sorted by name with digit runs compared as integers.

    Raises
    ------
    ValueError
        If ``expr`` is not a sympy object.
    """
    if not isinstance(expr, sympy.Basic):
        raise ValueError(f"expr must be a sympy expression, got {type(expr).__name__}")
    symbols = [s for s in expr.free_symbols if isinstance(s, sympy.Symbol)]
    return tuple(sorted(symbols, key=lambda s: _natural_key(s.name)))
