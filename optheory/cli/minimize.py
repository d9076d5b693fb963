"""``optheory minimize``: minimizer, minimum and eigen-form of a quadratic."""

from __future__ import annotations

import argparse

import sympy as sp

from optheory.cli._budget_flags import add_budget_flags, budget_kwargs, cli_budget_wording
from optheory.cli._common import add_json_flag, emit, parse_matrix, parse_number, parse_vector

EXAMPLE = """example:
  optheory minimize --Q "2,1;1,3" --c "1,-1" --b 2
  optheory minimize --Q "0.2,0;0,4" --json
  optheory minimize --Q "4,1,0;1,5,1;0,1,6" --max-seconds 10

The exact work is estimated before it starts (matrix size, digits of the
entries) and refused above --max-seconds; a refused eigen form is reported
as unavailable, with the minimizer still derived.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "minimize",
        help="derive minimizer and minimum of h(x) = 1/2 x^T Q x + c^T x + b",
        description=(
            "Derive, exactly with sympy, the minimizer x* = argmin h, the minimum h*, the "
            "completed-square form and the eigen-coordinates of h(x) = 1/2 x^T Q x + c^T x + b."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--Q", required=True, help="symmetric positive definite matrix, rows separated by ';'")
    parser.add_argument("--c", default=None, help="linear term, comma-separated (default 0)")
    parser.add_argument("--b", default="0", help="constant term (default 0)")
    add_budget_flags(parser, memory=False, what="exact work")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from optheory.symbolic.quadratic import completed_square, eigen_form

    Q = parse_matrix(args.Q, "--Q")
    n = len(Q)
    c = parse_vector(args.c, "--c") if args.c is not None else [0] * n
    if len(c) != n:
        raise ValueError(f"--c has {len(c)} entries but --Q is {n} x {len(Q[0])}")
    b = parse_number(args.b, "--b")
    budget = budget_kwargs(args)
    try:
        forms = completed_square(Q, c, b, **budget)
    except ValueError as exc:
        raise ValueError(cli_budget_wording(str(exc))) from None
    try:
        eig = eigen_form(Q, c, b, **budget)
        unavailable = None
    except ValueError as exc:  # no closed form of degree <= 2, or above the time budget
        eig = None
        unavailable = cli_budget_wording(str(exc))
    x_star = [str(v) for v in forms.x_star]
    payload: dict = {
        "x_star": x_star,
        "h_min": str(forms.h_min),
        "completed_square_verified": forms.identity_holds,
        "latex": {
            "x_star": sp.latex(forms.x_star),
            "h_min": sp.latex(forms.h_min),
            "h": sp.latex(forms.h),
        },
    }
    lines = [
        f"h(x)     = {forms.h}",
        f"x*       = ({', '.join(x_star)})",
        f"h*       = {payload['h_min']}",
        f"completed square h = 1/2 (x-x*)^T Q (x-x*) + h*: "
        f"{'verified' if forms.identity_holds else 'FAILED'}",
    ]
    if eig is None:
        payload.update(eigenvalues=None, eigenbasis_rows=None, eigen_form_verified=None,
                       eigen_form_unavailable=unavailable)
        lines.append(f"eigen form: not available exactly ({unavailable})")
    else:
        eigenvalues = [str(v) for v in eig.Lambda.diagonal()]
        payload.update(eigenvalues=eigenvalues,
                       eigenbasis_rows=[[str(e) for e in row] for row in eig.O.tolist()],
                       eigen_form_verified=eig.identity_holds)
        lines.insert(3, f"eigenvalues of Q: {', '.join(eigenvalues)}")
        lines.append(f"eigen form h = 1/2 z^T Lambda z + h*, z = O (x - x*): "
                     f"{'verified' if eig.identity_holds else 'FAILED'}")
    text = "\n".join(lines)
    emit(payload, args.json, text)
    return 0 if forms.identity_holds and (eig is None or eig.identity_holds) else 1
