"""The report's HTML page: every derivation step and result typeset as MathML, read back by a parser."""

import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import theory
from momentum_cli.report.html import report_html


class _Page(HTMLParser):
    """The page's derivation steps and results, each with its MathML, and the text a reader sees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.steps: list[dict] = []  # {"maths": [...], "latex": str} per step
        self.results: list[dict] = []
        self.visible: list[str] = []  # text outside <math>, <pre>, <code>, <style>
        self._stack: list[str] = []
        self._math: list[str] | None = None
        self._raw = ""
        self._in_results = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "math":
            self._math, self._raw = [], ""
        if self._math is not None:
            self._raw += self.get_starttag_text()
            self._stack.append(tag)
            return
        if tag == "ol" and attrs.get("class") == "steps":
            self._in_steps = True
        if tag == "li" and getattr(self, "_in_steps", False) and self._stack.count("li") == 0:
            self.steps.append({"maths": [], "latex": ""})
        if tag == "table" and attrs.get("class") == "results":
            self._in_results = True
        if tag == "tr" and self._in_results:
            self.results.append({"maths": []})
        self._stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if self._math is not None:
            self._raw += self.get_starttag_text()

    def handle_endtag(self, tag):
        if self._math is not None:
            self._raw += f"</{tag}>"
            self._stack.pop()
            if tag == "math":
                target = self.results[-1] if self._current() == "results" else self.steps[-1]
                target["maths"].append(self._raw)
                self._math = None
            return
        if tag == "ol" and getattr(self, "_in_steps", False):
            self._in_steps = False
        if tag == "table":
            self._in_results = False
        while self._stack and self._stack.pop() != tag:
            pass

    def _current(self) -> str:
        return "results" if self._in_results else "steps"

    def handle_data(self, data):
        if self._math is not None:
            self._raw += data.replace("&", "&amp;").replace("<", "&lt;")
            return
        if "pre" in self._stack and getattr(self, "_in_steps", False):
            self.steps[-1]["latex"] += data
        elif not {"pre", "code", "style", "title"} & set(self._stack):
            self.visible.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    derivations = theory.derive_all()
    text = report_html(
        [], tmp_path_factory.mktemp("page"), derivations, ["- a key number"], pdf=False
    )
    parsed = _Page()
    parsed.feed(text)
    return derivations, parsed, text


def test_every_step_and_result_is_typeset_as_mathml(page):
    derivations, parsed, _ = page
    steps = [s for d in derivations.values() for s in d.steps]
    results = [(d, name) for d in derivations.values() for name in d.results]
    assert len(parsed.steps) == len(steps) and len(parsed.results) == len(results)
    for shown, step in zip(parsed.steps, steps, strict=True):
        claims = [ET.fromstring(m) for m in shown["maths"] if 'display="block"' in m]
        assert len(claims) == 1, step.plain  # its claim, displayed
        assert shown["latex"].strip() == step.display  # the checked LaTeX, folded beneath
    for shown, (d, name) in zip(parsed.results, results, strict=True):
        (result,) = shown["maths"]
        assert ET.fromstring(result).iter(), (d.title, name)


def test_the_page_loads_nothing(page):
    text = page[2]
    assert "<script" not in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/1998/Math/MathML"', ""
    )


def test_no_latex_or_typed_subscripts_are_left_in_the_words(page):
    # the words around the maths are words: every formula in them is MathML
    words = " ".join(page[1].visible)
    for mark in ("\\", "$", "_", "^", "x_{t+1}"):
        assert mark not in words, (mark, words[max(0, words.find(mark) - 80) :][:160])
    assert "Jury's test" in words and "Sylvester's formula" in words  # the sentences are there


def test_every_sentence_holds_its_maths_as_objects():
    from theory.engine.prose import Sentence

    for d in theory.derive_all().values():
        for text in (d.title, *(s.text for s in d.steps), *d.remarks):
            assert isinstance(text, Sentence) or "$" not in text, text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: measures the laid-out MathML in the browser and writes what it found into <pre id="out">
_MEASURE = """
<pre id="out"></pre>
<script>
const box = (e) => e.getBoundingClientRect();
const middle = (e) => (box(e).top + box(e).bottom) / 2;
const fractions = [...document.querySelectorAll("mfrac")].map((f) => {
  const [top, bottom] = [...f.children].map(box);
  return {stacked: top.bottom <= bottom.top + 1, wide: top.width > 0 && bottom.width > 0};
});
const raised = [...document.querySelectorAll("msup")].map(
  (s) => middle(s.children[1]) < middle(s.children[0]));
const lowered = [...document.querySelectorAll("msub")].map(
  (s) => middle(s.children[1]) > middle(s.children[0]));
const minimum = document.querySelector("#result-minimizer-minimum math");
document.getElementById("out").textContent = JSON.stringify({
  fractions, raised, lowered,
  minimum_fraction_stacked: minimum !== null && [...minimum.querySelectorAll("mfrac")].some(
    (f) => box(f.children[0]).bottom <= box(f.children[1]).top + 1),
  blocks: [...document.querySelectorAll('math[display="block"]')].map((m) => box(m).height),
});
</script>
"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt install chromium)")
def test_the_browser_lays_the_mathml_out(page, tmp_path):
    # fractions stacked, superscripts raised, subscripts lowered: MathML rendered, not text
    harness = page[2].replace("</body>", _MEASURE + "</body>")
    (tmp_path / "page.html").write_text(harness, encoding="utf-8")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            (tmp_path / "page.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, flags=re.DOTALL)
    assert found, done.stderr[-2000:]
    laid = json.loads(html.unescape(found.group(1)))
    assert len(laid["fractions"]) > 50 and len(laid["raised"]) > 50 and len(laid["lowered"]) > 30
    assert all(f["stacked"] and f["wide"] for f in laid["fractions"])
    assert all(laid["raised"]) and all(laid["lowered"])
    assert laid["minimum_fraction_stacked"]  # b − ½ cᵀQ⁻¹c: the half is a fraction
    assert min(laid["blocks"]) > 10  # every displayed claim has a height
