"""``optheory region``: the stability region of a linear method or of a user's update rule."""

from __future__ import annotations

import argparse
from typing import Any

from optheory.cli._common import add_json_flag, emit

EXAMPLE = """examples:
  optheory region momentum
  optheory region --step "v = beta*v + grad(x); x = x - eta*v"
  optheory region --step "d = x - y; y = x; x = x - eta*grad(x) + beta*d" --json

--step is a sequence of assignments separated by ';' (run in order: a later
line reads the new value of an earlier one); grad(e) is the gradient lam*e of
f(x) = lam*x**2/2; the parameters are eta, lam (both > 0), beta, alpha, gamma,
mu; every other name read must be assigned; at most 4 state variables.  The text is parsed safely (never
evaluated).  The region is derived by the Jury test on det(zI - R), where R is
the iteration matrix sympy derives from the update: 'stable iff' all of the
conditions hold.
"""


#: Largest state of a --step rule (degree of det(zI - R)): degree 4 with six
#: parameters takes about 20 s, degree 5 minutes.
MAX_STATE = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.methods import methods_with

    names = methods_with("linear")
    parser = subparsers.add_parser(
        "region",
        help="stability region of a linear method or of your update rule (Jury test)",
        description="Derive where the iteration converges for every start: the Jury conditions "
        "on the characteristic polynomial of the iteration matrix of METHOD or of --step.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("method", nargs="?", metavar="METHOD", help=", ".join(names))
    parser.add_argument("--step", metavar="RULE",
                        help="your update rule, e.g. 'v = beta*v + grad(x); x = x - eta*v'")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def derive_region(method: str | None, step: str | None) -> dict[str, Any]:
    """The region's derivation for METHOD or a --step rule, as plain data (sympy objects)."""
    import sympy as sp

    from optheory.methods import check_method
    from optheory.symbolic.linear import characteristic_polynomial, iteration_matrix, method_update
    from optheory.symbolic.stability import stability_region
    from optheory.symbolic.update_rule import parse_update_rule

    if (method is None) == (step is None):
        raise ValueError("give a METHOD or --step RULE (one of the two)")
    if method is not None:
        check_method(method, "linear", what="METHOD")
        update, state = method_update(method)
        temporaries: tuple[str, ...] = ()
    else:
        rule = parse_update_rule(step or "", "--step")
        if len(rule.state) > MAX_STATE:
            raise ValueError(
                f"--step has a state of {len(rule.state)} variables; the Jury region is derived "
                f"for at most {MAX_STATE} (the symbolic work grows steeply with the degree)"
            )
        update, state, temporaries = rule.update, rule.state, rule.temporaries
    R = iteration_matrix(update, state)
    z = sp.Symbol("z")
    poly = characteristic_polynomial(R, z)
    region = stability_region(R)
    conditions = list(region.args) if isinstance(region, sp.And) else [region]
    return {"state": state, "update": update, "temporaries": temporaries, "matrix": R,
            "polynomial": poly.as_expr(), "region": region, "conditions": conditions}


def handle(args: argparse.Namespace) -> int:
    found = derive_region(args.method, args.step)
    state = found["state"]
    payload = {
        "method": args.method,
        "step": args.step,
        "state": [s.name for s in state],
        "temporaries": list(found["temporaries"]),
        "update": {s.name: str(found["update"][s]) for s in state},
        "iteration_matrix": [[str(e) for e in row] for row in found["matrix"].tolist()],
        "characteristic_polynomial": str(found["polynomial"]),
        "region": str(found["region"]),
        "conditions": [str(c) for c in found["conditions"]],
    }
    title = args.method if args.method else f"--step {args.step!r}"
    lines = [
        f"{title}: state ({', '.join(payload['state'])})"
        + (f", temporaries {', '.join(payload['temporaries'])}" if payload["temporaries"] else ""),
        *(f"  {s} <- {e}" for s, e in payload["update"].items()),
        "iteration matrix R = [" + "; ".join(", ".join(row) for row in payload["iteration_matrix"])
        + "]",
        f"det(zI - R) = {payload['characteristic_polynomial']}",
        "converges for every start iff (Jury):",
        *(f"  {c}" for c in payload["conditions"]),
    ]
    emit(payload, args.json, "\n".join(lines))
    return 0
