"""Shared test configuration: Hypothesis profiles, the Agg backend, figure hygiene.

Profiles (pick with HYPOTHESIS_PROFILE): ``dev`` (default; no deadline),
``ci`` (derandomized, no example database, prints reproduction blobs; the
default when the CI variable is set) and ``fuzz`` (many examples).
"""

import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile("dev", deadline=None, max_examples=60)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def explorer():
    """The explorer page open in one headless Chromium for the session (tests/browser.py)."""
    from tests.browser import CHROMIUM, Browser

    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt)")
    from momentum_cli.explorer import explorer_html

    browser = Browser(explorer_html())
    yield browser
    browser.close()
