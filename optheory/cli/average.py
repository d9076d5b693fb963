"""``optheory average``: what a leaky average with factor BETA averages over."""

from __future__ import annotations

import argparse

from optheory.cli._common import (
    add_json_flag,
    emit,
    exact_value,
    parse_exact,
    parse_number,
    show_exact,
)

EXAMPLE = """examples:
  optheory average 0.9
  optheory average 0.99 --t 10 --json

Every value is derived by sympy from the recurrence v_t = beta v_(t-1) + (1 - beta) g_t
(optheory.symbolic.leaky), exactly for an exact BETA (0.9 is read as 9/10):
  total weight        sum_i beta^i of the undamped sum v = beta v + g (momentum's step factor)
  effective samples   Kish's (sum w_i)^2 / sum w_i^2 of the weights w_i = (1-beta) beta^i
  half-life           lag h with beta^h = 1/2
  mean lag            sum_i i w_i, the average age of what is averaged
  bias correction     1 / (sum of the first T weights), Adam's factor at step T
"""

MAX_T = 1000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "average",
        help="total weight, effective sample size, half-life, mean lag, bias correction of beta",
        description="Derive the window of a leaky average with factor BETA.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("beta", metavar="BETA", help="leak factor in (0, 1), e.g. 0.9 or 99/100")
    parser.add_argument("--t", metavar="T", help="also the bias correction at step T (integer >= 1)")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from optheory.symbolic.leaky import (
        bias_correction,
        effective_sample_size,
        effective_weight,
        half_life,
        mean_lag,
    )

    beta = parse_exact(args.beta, "BETA")
    if not 0 < beta < 1:
        raise ValueError(f"BETA must lie in (0, 1), got {args.beta}")
    t = None
    if args.t is not None:
        t_value = parse_number(args.t, "--t")
        if t_value.denominator != 1 or not 1 <= t_value <= MAX_T:
            raise ValueError(f"--t must be an integer in [1, {MAX_T}], got {args.t}")
        t = int(t_value)
    values = {
        "total_weight": effective_weight(beta),
        "effective_sample_size": effective_sample_size(beta),
        "half_life": half_life(beta),
        "mean_lag": mean_lag(beta),
    }
    if t is not None:
        values["bias_correction"] = bias_correction(beta, t)
    labels = {
        "total_weight": "total weight sum beta^i",
        "effective_sample_size": "effective sample size (Kish)",
        "half_life": "half-life (steps)",
        "mean_lag": "mean lag (steps)",
        "bias_correction": f"bias correction at step {t}",
    }
    payload = {"beta": exact_value(beta), "t": t, **{k: exact_value(v) for k, v in values.items()}}
    lines = [f"leaky average with beta = {show_exact(beta)}:"]
    lines += [f"  {labels[k]:30s} {show_exact(v)}" for k, v in values.items()]
    emit(payload, args.json, "\n".join(lines))
    return 0
