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

from momentum_cli.report.text import blocks, spans

__all__ = [
    "MARGIN_CM",
    "PAPER_IN",
    "PDFLATEX_TIMEOUT",
    "TEXT_WIDTH_IN",
    "report_latex",
    "write_pdf",
]

#: seconds pdflatex may take before the PDF is given up
PDFLATEX_TIMEOUT = 120
#: the page (US letter, inches) and its margins: the text, and every figure, is 6.93 in wide
PAPER_IN = (8.5, 11.0)
MARGIN_CM = 2.0
TEXT_WIDTH_IN = PAPER_IN[0] - 2 * MARGIN_CM / 2.54

# Floats may fill most of a page and a page of floats must be mostly full, so the
# derivations' text fills the space a figure leaves instead of a half-empty page.
_PREAMBLE = rf"""\documentclass[11pt]{{article}}
\usepackage[paperwidth={PAPER_IN[0]}in,paperheight={PAPER_IN[1]}in,margin={MARGIN_CM}cm]{{geometry}}
\usepackage{{amsmath,amssymb,graphicx}}
\allowdisplaybreaks
\renewcommand{{\topfraction}}{{0.9}}
\renewcommand{{\bottomfraction}}{{0.8}}
\renewcommand{{\textfraction}}{{0.07}}
\renewcommand{{\floatpagefraction}}{{0.8}}
\setcounter{{topnumber}}{{3}}
\setcounter{{bottomnumber}}{{2}}
\setcounter{{totalnumber}}{{4}}
\title{{Momentum, on quadratics and beyond: a checked report}}
\date{{}}
\begin{{document}}
\maketitle
\noindent Every derivation was verified step by step by SymPy before it was written;
every figure comes from the \texttt{{numerics}} package. Also in this folder:
\texttt{{report.html}} (this report for a browser), \texttt{{summary.json}} (the key numbers),
\texttt{{derivations.tex}} (standalone \LaTeX) and \texttt{{explorer.html}} (interactive,
offline).
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
    "μ": r"\mu",
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
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₋ᵢₘₐₓₜ", "0123456789-imaxt", strict=True))


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


def _inline(text: str) -> str:
    """A key-numbers line: Markdown's `code` spans as typewriter text, the rest escaped."""
    return "".join(
        f"\\texttt{{{escape_text(p)}}}" if code else escape_text(p) for code, p in spans(text)
    )


def key_numbers_latex(lines: list[str]) -> str:
    """The key numbers' Markdown lines (the HTML page's) as paragraphs and itemized lists."""
    return "\n".join(
        "\\begin{itemize}\n"
        + "\n".join(f"\\item {_inline(item)}" for item in block)
        + "\n\\end{itemize}"
        if kind == "list"
        else f"\\noindent {_inline(block[0])}\\par"
        for kind, block in blocks(lines)
    )


def figure_width(spec) -> float:
    """The width (inches) a figure is shown at: as drawn, never wider than the text."""
    return min(spec.size[0], TEXT_WIDTH_IN)


def report_latex(figures, derivations, key_numbers=()) -> str:
    """A standalone document: the key numbers, the figures with their captions, every derivation.

    The figures are floats at the size they were drawn (so their text prints at
    its size in points); the derivations' text flows around them.
    """
    from momentum_cli.report.figures import in_section_order, missing, sections

    parts = [_PREAMBLE]
    if key_numbers:
        parts += ["\\section*{Key numbers}", key_numbers_latex(list(key_numbers))]
    parts += [
        "\\section*{Figures}",
        f"\\noindent Figures 1 to {len(figures)} are set at the tops and bottoms of the pages, "
        "among the derivations, each at the size it was drawn.",
    ]
    first = 1
    for heading, opening, specs in sections(figures):
        # the figures float among the derivations (no holes): each section is named with its numbers
        last = first + len(specs) - 1
        numbers = f"figure {first}" if first == last else f"figures {first} to {last}"
        parts.append(f"\\paragraph{{{escape_text(heading)} ({numbers}).}} {escape_text(opening)}")
        first = last + 1
    for spec in in_section_order(figures):  # numbered as the HTML page shows them
        title = escape_text(spec.title)
        why = missing(spec)  # an optional package is not installed: say so where it would be
        shown = (
            f"\\fbox{{\\parbox{{0.9\\linewidth}}{{\\centering Not drawn: {escape_text(why)}.}}}}"
            if why is not None
            else f"\\includegraphics[width={figure_width(spec):.4g}in]{{figures/{spec.name}.png}}"
        )
        parts.append(
            "\\begin{figure}[tbp]\\centering\n"
            f"{shown}\n"
            f"\\par\\small\\caption[{title}]{{\\textbf{{{title}.}} {escape_text(spec.explanation)}}}\n"
            "\\end{figure}"
        )
    parts += ["\\section*{Derivations}"]
    parts += [d.to_latex() for d in derivations.values()]
    parts.append("\\end{document}\n")
    return "\n".join(parts)


def write_pdf(folder, figures, derivations, key_numbers=()) -> str | None:
    """Write ``report.tex`` and compile ``report.pdf`` in ``folder``; None, or why there is no PDF."""
    folder = Path(folder)
    (folder / "report.tex").write_text(
        report_latex(figures, derivations, key_numbers), encoding="utf-8"
    )
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
