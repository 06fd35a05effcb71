"""The report as a PDF: the derivations typeset and the figures, when ``pdflatex`` exists.

The LaTeX source (``report.tex``) is written beside the figures and compiled
once in the report's temporary folder; the PDF carries no date
(``SOURCE_DATE_EPOCH``), so two reports give the same file. Without
``pdflatex``, or when it fails, there is no PDF and the reason is returned.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from itertools import groupby
from pathlib import Path

__all__ = ["PDFLATEX_TIMEOUT", "report_latex", "write_pdf"]

#: seconds pdflatex may take before the PDF is given up
PDFLATEX_TIMEOUT = 120

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,graphicx}
\allowdisplaybreaks
\title{Momentum on quadratics: a checked report}
\date{}
\begin{document}
\maketitle
\noindent Every derivation was verified step by step by SymPy before it was written;
every figure comes from the \texttt{numerics} package.
"""


_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    # in LaTeX's default OT1 text fonts these print as inverted marks and a dash
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


#: the captions' symbols, typeset in math mode (pdflatex's text fonts have no Greek)
_MATH = {
    "α": r"\alpha",
    "β": r"\beta",
    "η": r"\eta",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "ν": r"\nu",
    "ρ": r"\rho",
    "σ": r"\sigma",
    "Σ": r"\Sigma",
    "−": "-",
    "∓": r"\mp",
    "±": r"\pm",
    "√": r"\surd",
    "←": r"\leftarrow",
    "≤": r"\le",
    "≥": r"\ge",
    "×": r"\times",
    "½": r"\tfrac{1}{2}",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ⁱᵗ", "0123456789-it", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢₘₐₓ", "0123456789imax", strict=True))


def _script(mark: str, chars: str) -> str:
    """``^{...}`` or ``_{...}``; a word of several letters upright (λₘₐₓ: max, not m a x)."""
    if len(chars) > 1 and chars.isalpha():
        chars = f"\\mathrm{{{chars}}}"
    return f"{mark}{{{chars}}}"


def _kind(ch: str) -> str:
    return "^" if ch in _SUPERSCRIPTS else "_" if ch in _SUBSCRIPTS else ""


def _is_math(ch: str) -> bool:
    return ch in _MATH or ch in _SUPERSCRIPTS or ch in _SUBSCRIPTS


def _math(run: str) -> str:
    """One run of symbols and scripts as math-mode source (adjacent scripts share braces)."""
    parts = []
    for kind, group in groupby(run, _kind):
        chars = "".join(group)
        if kind:
            table = _SUPERSCRIPTS if kind == "^" else _SUBSCRIPTS
            parts.append(_script(kind, "".join(table[c] for c in chars)))
        else:
            parts.extend(_MATH[c] for c in chars)
    return " ".join(parts)


def escape_text(text: str) -> str:
    r"""Caption text safe for LaTeX: specials escaped; Greek letters, signs, super- and
    subscripts set in math mode, adjacent ones in one formula.

    >>> escape_text("ηλ = (1 ∓ √β)², 2⁻ⁱ, 50% of x₁")
    '$\\eta \\lambda$ = (1 $\\mp$ $\\surd \\beta$)$^{2}$, 2$^{-i}$, 50\\% of x$_{1}$'
    """
    return "".join(
        f"${_math(''.join(group))}$" if math else "".join(_SPECIALS.get(ch, ch) for ch in group)
        for math, group in groupby(text, _is_math)
    )


def report_latex(figures, derivations) -> str:
    """A standalone document: the figures with their captions, then every derivation."""
    parts = [_PREAMBLE, "\\section*{Figures}"]
    for spec in figures:
        parts.append(
            "\\begin{figure}[htbp]\\centering\n"
            f"\\includegraphics[width=\\linewidth,height=0.8\\textheight,keepaspectratio]"
            f"{{figures/{spec.name}.png}}\n"
            f"\\par\\small\\textbf{{{escape_text(spec.title)}.}} {escape_text(spec.explanation)}\n"
            "\\end{figure}"
        )
    parts += ["\\clearpage", "\\section*{Derivations}"]
    parts += [d.to_latex() for d in derivations.values()]
    parts.append("\\end{document}\n")
    return "\n".join(parts)


def write_pdf(folder, figures, derivations) -> str | None:
    """Write ``report.tex`` and compile ``report.pdf`` in ``folder``; None, or why there is no PDF."""
    folder = Path(folder)
    (folder / "report.tex").write_text(report_latex(figures, derivations), encoding="utf-8")
    exe = shutil.which("pdflatex")
    if exe is None:
        return "no pdflatex on this machine"
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    try:
        done = subprocess.run(
            [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "report.tex"],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PDFLATEX_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"pdflatex did not finish: {exc}"
    finally:
        for junk in ("report.aux", "report.log", "report.out"):
            (folder / junk).unlink(missing_ok=True)
    if done.returncode != 0 or not (folder / "report.pdf").exists():
        (folder / "report.pdf").unlink(missing_ok=True)
        return f"pdflatex failed (exit code {done.returncode})"
    return None
