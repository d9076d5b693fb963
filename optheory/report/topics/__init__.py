"""The report's topics, registered in the order the report shows them.

Importing this package registers every topic with
:func:`optheory.report.register_topic`; each module has one ``build() -> Page``.
"""

from __future__ import annotations

import importlib

from optheory.report.build import TOPICS, register_topic

__all__ = ["TOPIC_MODULES", "register_all"]

#: topic name -> module under optheory.report.topics
TOPIC_MODULES: dict[str, str] = {
    "quadratics": "quadratics",
    "momentum": "momentum",
    "leaky": "leaky",
    "adaptive": "adaptive",
    "ode": "ode",
    "regression": "regression",
    "beyond": "beyond",
    "claims": "claims",
    "exercises": "exercises",
}


def register_all() -> None:
    """Register every topic (idempotent)."""
    for name, module in TOPIC_MODULES.items():
        if name in TOPICS:
            continue
        builder = importlib.import_module(f"optheory.report.topics.{module}").build
        register_topic(name, builder)


register_all()
