"""``momentum report``: every derivation and figure, with the key numbers, in one folder.

- :mod:`momentum_cli.report.build`: :func:`write_report`, the folder built
  in a temporary sibling and moved into place, and its key numbers;
- :mod:`momentum_cli.report.figures`: the figures the report draws (one
  spec each), and the airfoil computation several of them share;
- :mod:`momentum_cli.report.parallel`: the process pool that draws them;
- :mod:`momentum_cli.report.html` and :mod:`momentum_cli.report.pdf`: the
  two front pages, one self-contained HTML file and a typeset PDF.

A new figure is a spec in :mod:`momentum_cli.report.figures` whose drawing
calls a function of :mod:`numerics.plots`.
"""

from momentum_cli.report.build import FIGURES, write_report

__all__ = ["FIGURES", "write_report"]
