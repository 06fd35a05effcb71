"""The ``momentum`` command: a thin layer over :mod:`theory` and :mod:`numerics`."""

__version__ = "0.1.0"
