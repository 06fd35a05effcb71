"""Output that never loses what the user owns: atomic files and report folders.

- :mod:`numerics.output.files`: :func:`write_text`, :func:`save_figure` and
  :func:`atomic_directory`, the writers every command and the report use;
- :mod:`numerics.output.marker`: the ``.momentum-report`` file that lists what
  a report folder holds, so only an unchanged report of ours is replaced;
- :mod:`numerics.output.temporaries`: the temporary and set-aside folders
  of a build, and the cleanup of what a killed run left.
"""

from numerics.output.files import OutputError, atomic_directory, save_figure, write_text

#: modules of this package that are not its API and stay out of the reference: the writers
#: of :mod:`numerics.output.files` use them
_INTERNAL = ("marker", "temporaries")

__all__ = ["OutputError", "atomic_directory", "save_figure", "write_text"]
