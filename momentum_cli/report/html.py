"""The report as one self-contained HTML page: figures inline, maths offline, no network.

Figures are embedded as base64 PNG; every derivation step shows its words
and its claim as presentation MathML printed from the objects the checker
verified (:mod:`theory.engine.mathml`; browsers render it natively), with
its LaTeX folded beneath for copying; each derivation's results are MathML
too.
The page loads nothing from anywhere: no script, no font, no CDN.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from momentum_cli.report.text import blocks, spans

__all__ = ["COLUMN_PX", "CSS_PX_PER_IN", "figure_width", "report_html"]

#: CSS pixels per inch (CSS fixes 1in = 96px): a figure is shown at the size it was drawn
CSS_PX_PER_IN = 96
#: the page's column in CSS pixels (the body's max-width, 60rem of 16px): no figure is wider
COLUMN_PX = 960

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
figure { margin: 2rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.95rem; color: #333; }
pre.tex { background: #f4f4f4; padding: 0.5rem 0.8rem; overflow-x: auto; font-size: 0.9rem; }
math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", math; }
math[display="block"] { margin: 0.4rem 0; overflow-x: auto; overflow-y: hidden; }
.nowrap { white-space: nowrap; }
details summary { font-size: 0.8rem; color: #666; cursor: pointer; }
ol.steps > li { margin-bottom: 0.8rem; } ol.steps p { margin: 0.2rem 0; }
table.results { border-collapse: collapse; margin: 1rem 0; }
table.results caption { text-align: left; font-weight: 600; }
table.results th { text-align: left; padding-right: 1rem; font-weight: normal; }
nav > ul { columns: 2; } nav li ul { margin: 0.2rem 0 0.6rem; } .remark { border-left: 3px solid #0072B2; padding-left: 0.8rem; }
p.missing { border: 1px dashed #8c8c8c; padding: 1.5rem; color: #555; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _inline(text: str) -> str:
    """Escaped text with Markdown's `code` spans as <code>."""
    return "".join(f"<code>{_e(p)}</code>" if code else _e(p) for code, p in spans(text))


def _markdown_lines(lines: list[str]) -> str:
    """The key numbers' Markdown lines: paragraphs, and "- " items gathered into lists."""
    return "\n".join(
        "<ul>\n" + "\n".join(f"<li>{_inline(item)}</li>" for item in block) + "\n</ul>"
        if kind == "list"
        else f"<p>{_inline(block[0])}</p>"
        for kind, block in blocks(lines)
    )


def figure_width(spec) -> int:
    """The width (CSS pixels) a figure is shown at: as drawn, never wider than the column."""
    return min(round(spec.size[0] * CSS_PX_PER_IN), COLUMN_PX)


def _figure(spec, folder: Path) -> str:
    from momentum_cli.report.figures import missing

    why = missing(spec)
    if why is not None:  # an optional package is not installed: say so where the figure goes
        return (
            f'<figure id="{_e(spec.name)}">\n<h3>{_e(spec.title)}</h3>\n'
            f'<p class="missing">Not drawn: {_e(why)}.</p>\n'
            f"<figcaption>{_e(spec.explanation)}</figcaption>\n</figure>"
        )
    data = base64.b64encode((folder / f"{spec.name}.png").read_bytes()).decode("ascii")
    width = figure_width(spec)
    height = round(width * spec.size[1] / spec.size[0])
    has_svg = (folder / f"{spec.name}.svg").exists()  # written with --svg
    svg = f'<a href="figures/{_e(spec.name)}.svg">SVG</a>, ' if has_svg else ""
    return (
        f'<figure id="{_e(spec.name)}">\n<h3>{_e(spec.title)}</h3>\n'
        f'<img width="{width}" height="{height}" alt="{_e(spec.title)}: {_e(spec.explanation)}" '
        f'src="data:image/png;base64,{data}">\n'
        f"<figcaption>{_e(spec.explanation)} "
        f"({svg}"
        f'<a href="figures/{_e(spec.name)}.png">PNG</a>)</figcaption>\n</figure>'
    )


def _derivation(key: str, derivation) -> str:
    from theory.engine.mathml import block, prose

    # each claim typeset from the objects the checker read; the checked LaTeX folded beneath
    steps = "\n".join(
        f"<li><p>{prose(step.text)}</p>\n{step.mathml}\n"
        f'<details><summary>LaTeX</summary><pre class="tex">{_e(step.display)}</pre></details></li>'
        for step in derivation.steps
    )
    remarks = "\n".join(f'<p class="remark">{prose(r)}</p>' for r in derivation.remarks)
    results = "\n".join(
        f'<tr id="result-{_e(key)}-{_e(name)}"><th scope="row"><code>{_e(name)}</code></th>'
        f"<td>{block(derivation.shown(name))}</td></tr>"
        for name in derivation.results
    )
    if results:
        results = f'<table class="results"><caption>Results</caption>\n{results}\n</table>'
    return (
        f"<h3>{prose(derivation.title)}</h3>\n"
        f'<ol class="steps">\n{steps}\n</ol>\n{results}\n{remarks}'
    )


def report_html(figures, figure_folder, derivations, key_numbers: list[str], *, pdf: bool) -> str:
    """The whole page: key numbers, every figure with its caption, every derivation."""
    from momentum_cli.report.figures import sections

    folder = Path(figure_folder)
    groups = sections(figures)
    toc = "\n".join(
        f"<li>{_e(heading)}<ul>\n"
        + "\n".join(f'<li><a href="#{_e(s.name)}">{_e(s.title)}</a></li>' for s in specs)
        + "\n</ul></li>"
        for heading, _, specs in groups
    )
    figure_parts = [
        part
        for heading, opening, specs in groups
        for part in (
            f"<h2>Figures: {_e(heading.lower())}</h2>",
            f"<p>{_e(opening)}</p>",
            *(_figure(s, folder) for s in specs),
        )
    ]
    numbers = _markdown_lines(key_numbers)
    links = ['<a href="summary.json">summary.json</a> (the key numbers)']
    if pdf:
        links.insert(0, '<a href="report.pdf">report.pdf</a> (this report typeset, for print)')
    links += [
        '<a href="derivations.tex">derivations.tex</a> (standalone LaTeX)',
        '<a href="explorer.html">explorer.html</a> (interactive, offline)',
    ]
    body = [
        "<h1>Momentum, on quadratics and beyond: a checked report</h1>",
        "<p>Every derivation below was verified step by step by SymPy before it was written; "
        "every figure comes from the <code>numerics</code> package. This page is self-contained "
        "and works offline.</p>",
        "<p>Also in this folder: " + "; ".join(links) + ".</p>",
        f"<nav><h2>Contents: the figures</h2><ul>\n{toc}\n</ul></nav>",
        f"<h2>Key numbers</h2>\n{numbers}",
        *figure_parts,
        "<h2>Derivations</h2>",
        "<p>Each step: what it claims, typeset from the SymPy objects the checker verified, "
        "and its LaTeX beneath, to copy.</p>",
        *(_derivation(key, d) for key, d in derivations.items()),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Momentum, on quadratics and beyond: a checked report</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
