import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

import theory
from theory.document import TOPICS, derive, derive_all, latex_document
from theory.engine.derivation import Step
from theory.errors import ParameterError
from theory.methods import builtin_methods


def test_every_topic_derives():
    derivations = derive_all()
    assert list(derivations) == list(TOPICS)
    for d in derivations.values():
        assert d.steps and d.to_latex().count(r"\begin{align*}") == 1


def test_unknown_topic():
    with pytest.raises(ParameterError, match="'topic' must be one of"):
        derive("nonsense")


def test_public_api_is_reexported():
    for name in theory.__all__:
        assert hasattr(theory, name)


#: the methods each method-dependent topic is derived for in the walk below
METHOD_TOPICS = ("momentum", "stability", "tuning")


def _every_derivation():
    yield from derive_all().values()
    for method in builtin_methods():
        if method != "heavy_ball":
            yield from (derive(topic, method=method) for topic in METHOD_TOPICS)
    yield derive("minimizer", Q=[[2, 1], [1, 3]], c=[1, -1], b=2)
    yield derive("decoupling", Q=[[2, 1], [1, 3]])


def test_every_printed_claim_of_every_derivation_is_proven():
    # a printed step is a SymPy claim its proof reads; run every proof again on what is printed
    count = 0
    for d in _every_derivation():
        for step in d.steps:
            assert isinstance(step, Step)
            assert isinstance(step.lhs, sp.Basic) and isinstance(step.rhs, sp.Basic)
            assert step.verify(), (d.title, step.text)
            count += 1
        for name in d.results:
            assert any(s.names(name) for s in d.steps), (d.title, name)
    assert count > 100


def test_qhm_derives_what_has_a_closed_form_and_says_what_has_none():
    derivations = derive_all(method="qhm")
    tuning = derivations["tuning"]
    assert not tuning.steps and "No closed-form tuning" in tuning.remarks[0]
    assert "align" not in tuning.to_latex()
    assert derivations["stability"].steps and derivations["momentum"].steps


def _compile(tmp_path, text: str) -> str:
    tex = tmp_path / "d.tex"
    tex.write_text(text)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 1000
    return (tmp_path / "d.log").read_text(errors="replace")


@pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex not installed (texlive-latex-base)"
)
@pytest.mark.parametrize("method", ["heavy_ball", "qhm"])
def test_document_compiles_with_pdflatex_without_overfull_boxes(tmp_path, method):
    # derive all --format latex and the report's derivations.tex are this document
    log = _compile(tmp_path, latex_document(derive_all(method=method).values()))
    assert "Overfull" not in log and "! " not in log, [
        line for line in log.splitlines() if "Overfull" in line or line.startswith("!")
    ]


def test_notebook_shows_a_derivation_with_its_maths_title_and_remarks(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import theory\ntheory.derive('gd')"),
        nbformat.v4.new_code_cell("theory.optimal_parameters('2001/2000', '200001/2000')"),
        nbformat.v4.new_code_cell("theory.derive_all()"),
    ]
    env_root = str(Path(__file__).resolve().parents[1])
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": env_root}}
    )
    client.execute()
    (output,) = notebook.cells[0].outputs
    shown = output["data"]
    assert "text/markdown" in shown
    markdown = shown["text/markdown"]
    assert markdown.startswith("### Gradient descent")
    assert "$|1 - \\eta \\lambda| < 1$" in markdown  # a sentence's inline maths
    assert "$$ 1 - \\eta \\lambda = 0 \\iff \\eta = \\frac{1}{\\lambda} $$" in markdown
    assert "> **Remark.** D2L writes" in markdown
    assert shown["text/plain"] == "<Derivation 'Gradient descent': 8 checked steps>"
    # a tuning: a table of its exact values, collected, and their decimals
    (output,) = notebook.cells[1].outputs
    table = output["data"]["text/markdown"]
    assert r"| $\eta$ | $\frac{33667 - \sqrt{44466889}}{816750}$ | 0.0330561986 |" in table
    # every derivation, one after another
    (output,) = notebook.cells[2].outputs
    everything = output["data"]["text/markdown"]
    assert everything.count("### ") == len(TOPICS) and "### Nesterov's method" in everything
    assert r"- `minimum`: $b - \frac{1}{2} c^\top Q^{-1} c$" in everything


def test_a_piecewise_result_has_more_than_one_live_branch():
    # a piecewise form is printed only where more than one branch applies: no condition
    # before the last is decided (True would hide the rest, False is a dead branch)
    count = 0
    for d in _every_derivation():
        for name in d.results:
            for pw in d.shown(name).atoms(sp.Piecewise):
                conditions = [c for _, c in pw.args]
                assert len(conditions) > 1 and sp.true not in conditions[:-1], (d.title, name)
                assert all(c not in (sp.true, sp.false) for c in conditions[:-1])
                count += 1
    assert count >= 1  # heavy ball's spectral radius


def test_derives_docstring_names_every_topic():
    # the list in theory.derive's docstring had every topic but minibatch (added later)
    import re

    from theory.document import TOPICS, derive

    named = set(re.findall(r"``(\w+)``", derive.__doc__.split("method :")[0]))
    assert set(TOPICS) <= named
