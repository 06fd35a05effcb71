import shutil
import subprocess

import pytest

import theory
from theory.document import TOPICS, derive, derive_all, latex_document
from theory.errors import ParameterError


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


@pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex not installed (texlive-latex-base)"
)
def test_document_compiles_with_pdflatex(tmp_path):
    tex = tmp_path / "d.tex"
    tex.write_text(latex_document(derive_all().values()))
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 1000
