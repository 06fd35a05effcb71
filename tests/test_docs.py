"""The docs build with Sphinx, warnings as errors, notebooks executed, and read offline.

Skipped, visibly, where the docs extra is missing (``pip install '.[docs]'``) or LaTeX is
(the maths is drawn at build time by ``latex`` and ``dvisvgm`` with ``preview.sty``); CI
installs both. The site is built once for this module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from latex_tools import LATEX_TOOLS, missing_latex  # noqa: E402 (the docs' own check)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The HTML site, built from docs/ with ``-W``."""
    for name in ("sphinx", "numpydoc", "myst_nb"):
        pytest.importorskip(name, reason="pip install '.[docs]' to build the docs")
    missing = missing_latex()
    if missing is not None:
        pytest.skip(missing)
    out = tmp_path_factory.mktemp("docs")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
        + ["-d", str(out / "doctrees"), str(ROOT / "docs"), str(out / "html")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return out / "html"


def test_a_missing_latex_tool_is_one_line_before_any_formula(tmp_path):
    """Without dvisvgm the build stops at once and says, first, what to install (not a wall of
    TeX errors, one per formula)."""
    pytest.importorskip("sphinx", reason="pip install '.[docs]' to build the docs")
    tools = tmp_path / "bin"
    tools.mkdir()
    for program in LATEX_TOOLS:
        if program != "dvisvgm" and shutil.which(program):
            (tools / program).symlink_to(shutil.which(program))
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html"]
        + ["-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        env=dict(os.environ, PATH=str(tools)),
        cwd=ROOT,
    )
    assert done.returncode != 0
    first = done.stderr.splitlines()[0]
    assert "dvisvgm is not installed" in first and "apt-get install dvisvgm" in first
    assert "LaTeX" in first
    # stopped before drawing: no TeX error (TeX starts them with "! "), no failed latex run
    assert "exited with error" not in done.stderr and "\n! " not in done.stderr
    assert not (tmp_path / "html").exists() or not any((tmp_path / "html").rglob("*.html"))


def test_sphinx_builds_with_warnings_as_errors(site):
    assert (site / "api" / "numerics.html").is_file() and (site / "api" / "theory.html").is_file()
    page = (site / "examples" / "d2l_momentum.html").read_text(encoding="utf-8")
    assert "epoch 20, x1: 0.007188, x2: 0.002553" in page  # executed: D2L's line is in the output


class _Page(HTMLParser):
    """What a browser would fetch, the maths images, and the prose outside code."""

    SKIP = {"pre", "code", "script", "style", "textarea", "dt"}  # dt: signatures, defaults as typed

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []  # src of any element, href of any <link>
        self.maths: list[dict[str, str | None]] = []
        self.prose: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("src"):
            self.fetched.append(attributes["src"])
        if tag == "link" and attributes.get("href"):
            self.fetched.append(attributes["href"])
        if tag == "img" and "/_images/math/" in "/" + (attributes.get("src") or ""):
            self.maths.append(attributes)  # imgmath's drawings, inline and displayed
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.prose.append(data)


def _read(page: Path) -> _Page:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    return parsed


def _remote(url: str) -> bool:
    return url.lower().startswith(("http:", "https:", "//", "ftp:"))


def test_no_page_fetches_anything_from_the_network(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        remote = [url for url in _read(page).fetched if _remote(url)]
        assert not remote, f"{page.relative_to(site)} fetches {remote}"
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        for marker in ("url(", "@import"):
            for piece in text.split(marker)[1:]:
                target = piece.lstrip(" \"'")
                assert not _remote(target), f"{sheet.relative_to(site)}: {marker}{piece[:60]}"


@pytest.mark.parametrize(
    "page, formula",
    [
        ("examples/d2l_momentum.html", r"1 - \eta\lambda = -1.4"),  # a notebook's $...$
        ("api/theory.html", None),  # a docstring's :math:
        ("api/numerics.html", None),
    ],
)
def test_maths_is_drawn_into_images_at_build_time(site, page, formula):
    parsed = _read(site / page)
    assert parsed.maths, f"{page} shows no maths"
    for image in parsed.maths:
        source = (site / page).parent / image["src"]
        assert source.suffix == ".svg" and source.is_file(), image["src"]
        drawing = source.read_text(encoding="utf-8")
        assert "<svg" in drawing and "<path" in drawing, image["src"]
    if formula is not None:
        assert formula in [image["alt"] for image in parsed.maths]
    # nothing left for a script to typeset: no TeX delimiters in the prose
    prose = "".join(parsed.prose)
    for delimiter in ("$", "\\(", "\\["):
        assert delimiter not in prose, (
            f"{page}: raw TeX {prose[prose.find(delimiter) - 40 :][:80]!r}"
        )


class _Sections(HTMLParser):
    """The text of each ``<section id=...>``, its subsections' text included."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, list[str]] = {}
        self.examples: dict[str, int] = {}
        self._open: list[str | None] = []  # the id of each open <section>, None for other tags

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section":
            self._open.append(attributes.get("id"))
            self.text.setdefault(attributes.get("id"), [])
        if tag == "div" and "momentum-example" in (attributes.get("class") or "").split():
            for name in filter(None, self._open):
                self.examples[name] = self.examples.get(name, 0) + 1

    def handle_endtag(self, tag):
        if tag == "section" and self._open:
            self._open.pop()

    def handle_data(self, data):
        for name in filter(None, self._open):
            self.text[name].append(data)


def test_the_command_line_page_has_every_subcommand_and_option_of_the_parser(site):
    """The page is generated from ``build_parser``; this reads the parser independently."""
    import argparse

    from momentum_cli.main import build_parser

    page = _Sections()
    page.feed((site / "cli.html").read_text(encoding="utf-8"))
    top = build_parser()
    (commands,) = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) >= {"derive", "rate", "stability", "tune", "simulate", "report"}
    for name, parser in commands.choices.items():
        section = f"momentum-{name}"
        assert section in page.text, f"no section for momentum {name}"
        text = " ".join("".join(page.text[section]).split())
        for action in parser._actions:
            for option in action.option_strings:
                assert option in text, f"momentum {name}: {option} not on the page"
            if action.help and action.help != argparse.SUPPRESS:
                assert " ".join(action.help.split()) in text, (
                    f"momentum {name}: help of {action.dest}"
                )
            if action.choices:
                for choice in action.choices:
                    assert str(choice) in text
        assert page.examples.get(section, 0) >= 1, f"momentum {name} has no example"
        assert f"$ momentum {name}" in text
    # the examples were run: their output is on the page
    cli = " ".join("".join(page.text["momentum-rate"]).split())
    assert (
        "largest stable curvature 37.9995" in cli
    )  # rate --lr 0.1 --momentum 0.9 --weight-decay 5e-4
    assert "got 1.2" in cli  # the refusal example, exit 2


#: every package of theory and numerics, subpackages included, found from the files;
#: numerics.data holds the airfoil data set and no code
PACKAGES = tuple(
    ".".join(init.parent.relative_to(ROOT).parts)
    for top in ("theory", "numerics")
    for init in sorted((ROOT / top).rglob("__init__.py"))
    if init.parent.name != "data"
)


def _internal(package: str) -> set[str]:
    """The modules a package declares internal (its ``_INTERNAL``): not API, not in the docs."""
    import importlib

    return {
        f"{package}.{name}" for name in getattr(importlib.import_module(package), "_INTERNAL", ())
    }


def _modules(package: str) -> list[str]:
    folder = ROOT.joinpath(*package.split("."))
    return [f"{package}.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem[0] != "_"]


def _public_modules() -> list[str]:
    """Every public module of the packages, found from the files (not from the docs): not
    private by its name (``_generated_methods``) nor declared internal by its package."""
    found = []
    for package in PACKAGES:
        found.append(package)
        found += [name for name in _modules(package) if name not in _internal(package)]
    return found


def _documented() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.rst"))
    return set(re.findall(r"^\.\. automodule:: (\S+)\s*$", text, flags=re.MULTILINE))


def test_every_public_module_has_an_automodule_in_the_docs():
    assert {
        "theory.engine.named",
        "numerics.plots",
        "numerics.plots.maps",
        "numerics.output.files",
        "numerics.testing.strategies",
    } <= set(_public_modules())
    missing = [name for name in _public_modules() if name not in _documented()]
    assert not missing, f"no '.. automodule::' in docs/ for {missing}"


def test_every_documented_name_imports_from_its_documented_place():
    """Each module the reference documents imports, and every name in its ``__all__`` is
    there (a package's re-exports included: ``theory`` resolves its names on first use)."""
    import importlib

    assert {"numerics", "theory", "numerics.plots", "numerics.output"} <= _documented()
    missing = []
    for name in sorted(_documented()):
        module = importlib.import_module(name)
        missing += [f"{name}.{n}" for n in module.__all__ if not hasattr(module, n)]
    assert missing == []


def test_internal_modules_are_real_and_kept_out_of_the_reference():
    """What a package declares internal exists, is not documented as API, and is not exported
    by the package; the rest is public (the test above)."""
    import importlib

    internal = set().union(*(_internal(p) for p in PACKAGES))
    assert {"numerics.checks", "numerics.output.marker", "numerics.output.temporaries"} <= internal
    for name in internal:
        package, _, stem = name.rpartition(".")
        assert name in _modules(package), f"{name} is declared internal but is no module"
        assert name not in _documented(), f"{name} is internal but has an automodule"
        module = importlib.import_module(name)
        exported = set(importlib.import_module(package).__all__)
        assert not exported & set(module.__all__), f"{package} exports {name}'s names"


def test_every_exported_name_has_its_entry_in_the_built_reference(site):
    """Each module's page exists, and every name in an ``__all__`` is documented."""
    import importlib

    anchors = set()
    for page in site.rglob("*.html"):
        anchors.update(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))
    missing = []
    for name in _public_modules():
        if f"module-{name}" not in anchors:
            missing.append(name)
        module = importlib.import_module(name)
        for export in module.__all__:
            homes = {name, getattr(getattr(module, export), "__module__", None)}
            if name in PACKAGES:  # a package re-exports its modules' names
                homes.update(m for m in _public_modules() if m.startswith(f"{name}."))
            if not any(f"{home}.{export}" in anchors for home in homes):
                missing.append(f"{name}.{export}")
    assert not missing, f"not in the built reference: {missing}"


def test_the_readme_gallery_is_the_report_figures_of_today():
    """docs/images holds the report's figures as they draw now (``python docs/gallery.py``
    rewrites them after a figure changes): compared pixel by pixel."""
    import io

    import numpy as np
    from PIL import Image

    sys.path.insert(0, str(ROOT / "docs"))
    from gallery import GALLERY, IMAGES, gallery_png

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in GALLERY:
        assert f"(docs/images/{name}.png)" in readme
        fresh = np.asarray(Image.open(io.BytesIO(gallery_png(name))).convert("RGB"))
        kept = np.asarray(Image.open(IMAGES / f"{name}.png").convert("RGB"))
        assert kept.shape == fresh.shape and (kept == fresh).all(), (
            f"docs/images/{name}.png is out of date: run python docs/gallery.py"
        )
