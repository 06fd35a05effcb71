"""``python -m numerics.data``: recompute the package data derived by the toolkit itself.

The airfoil data set is shipped as published; ``polyak_worst_case.json`` holds
the worst cases of heavy ball at Polyak's tuning for [1, 25] over both
function classes (:func:`numerics.performance.polyak_table`), solved with
the ``[pep]`` extra so that the report draws them without it. A test solves
them again and compares.
"""

import json
from importlib import resources

from numerics.performance import polyak_table

path = resources.files("numerics.data").joinpath("polyak_worst_case.json")
with resources.as_file(path) as file:
    file.write_text(json.dumps(polyak_table(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {file}")
