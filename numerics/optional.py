"""Optional dependencies, imported when first used, with an error that says how to install them.

PyTorch is the ``[torch]`` extra (pinned, CPU build): the model Hessians
(:mod:`numerics.hessian`), the edge of stability and the optimiser checks of
:mod:`numerics.testing` use it; nothing else in the toolkit imports it.
"""

from __future__ import annotations

__all__ = ["import_torch", "torch_missing"]


def torch_missing(feature: str) -> str:
    """The message for ``feature`` when PyTorch is not installed: what to type."""
    return (
        f"{feature} needs PyTorch, which is not installed: "
        "python -m pip install 'momentum-theory[torch]' (or torch itself)"
    )


def import_torch(feature: str):
    """The ``torch`` module, or an ``ImportError`` naming ``feature`` and how to install it."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(torch_missing(feature)) from exc
    return torch
