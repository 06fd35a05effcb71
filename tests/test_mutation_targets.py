"""The planted bugs of ``tests/mutation_check.py`` still have their targets.

Code moves; a mutant whose original text is gone would silently stop
planting its bug. This checks, without running any mutant, that every
original text is found exactly once in its file and that every test file a
mutant names exists (the full mutation run is a benchmark, not a test).
"""

from tests.mutation_check import MUTANTS, ROOT


def test_every_mutant_target_is_found_exactly_once():
    missing = {
        name: (ROOT / path).read_text().count(old) if (ROOT / path).exists() else 0
        for name, path, old, *_ in MUTANTS
    }
    assert {name: n for name, n in missing.items() if n != 1} == {}


def test_every_named_test_file_exists():
    for name, _, _, _, *named in MUTANTS:  # a mutant without named tests runs the whole suite
        for target in named[0] if named else ():
            assert (ROOT / target.split("::")[0]).exists(), f"{name}: {target}"
