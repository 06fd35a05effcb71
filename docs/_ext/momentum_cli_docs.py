"""The command-line page, generated from ``momentum_cli.main.build_parser`` at build time.

Two directives:

``.. momentum-command:: NAME``
    A section for ``momentum NAME`` (no NAME: the top-level command): the subcommand's
    help, its usage line and a table of every argument and option with its help text (which
    states its default and range), all read from the parser, so the page says what
    ``--help`` says. The directive's content (prose and examples) follows the table.

``.. momentum-example:: ARGS``
    Runs ``momentum ARGS`` in a fresh temporary folder while the docs build and shows the
    command with what it printed. A failing run is a build error, unless ``:exit: N`` says
    the example shows that failure. ``:no-run:`` only parses the command (for ``report``,
    which takes seconds of CPU); a command the parser refuses is a build error either way.

At the end of reading, every subcommand must have had its section with at least one
example, and no section may name a subcommand the parser does not have.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
logger = logging.getLogger(__name__)
#: the examples run as their directives are read, as many at once as there are cores
_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
_RUNNING: dict[int, tuple[Future, int]] = {}


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """``{"": the top-level parser, name: each subcommand's parser}``, in the parser's order."""
    from momentum_cli.main import build_parser

    top = build_parser()
    found = {"": top}
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _summaries(top: argparse.ArgumentParser) -> dict[str, str]:
    """Each subcommand's one-line help, as ``momentum --help`` lists it."""
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {choice.dest: choice.help or "" for choice in action._choices_actions}
    return {}


def _help_text(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    return " ".join(parser._get_formatter()._expand_help(action).split())


def _with_options_as_code(text: str) -> list[nodes.Node]:
    """Help text with each ``--option`` as code (and so safe from smart quotes' en dash)."""
    pieces = re.split(r"(?<![\w-])(--[a-zA-Z][\w-]*)", text)
    return [nodes.literal(p, p) if k % 2 else nodes.Text(p) for k, p in enumerate(pieces) if p]


def _usage(parser: argparse.ArgumentParser, width: int = 64) -> str:
    """The usage line, broken between its bracketed groups to fit the page's code column."""
    line = " ".join(parser.format_usage().split())
    groups, depth, start = [], 0, 0
    for k, char in enumerate(line + " "):
        depth += (char in "[(") - (char in "])")
        if char == " " and depth == 0:
            groups.append(line[start:k])
            start = k + 1
    head = " ".join(groups[:2])  # "usage: momentum" (and the subcommand, below)
    if len(groups) > 2 and not groups[2].startswith(("[", "(", "-")) and parser.prog != "momentum":
        head, groups = f"{head} {groups[2]}", groups[3:]
    else:
        groups = groups[2:]
    lines, indent = [head], " " * (len(head) + 1)
    for group in groups:
        if len(lines[-1]) + 1 + len(group) > width and lines[-1].strip() != head.strip():
            lines.append(indent + group)
        else:
            lines[-1] += " " + group
    return "\n".join(lines)


def _value(action: argparse.Action) -> str:
    """What follows the option: its metavar, its choices, or nothing for a flag."""
    if action.nargs == 0:
        return ""
    if action.choices is not None and action.metavar is None:
        return "{" + ", ".join(map(str, action.choices)) + "}"
    return action.metavar or action.dest.upper()


def _verbatim(*children: nodes.Node) -> nodes.paragraph:
    """A paragraph kept as ``--help`` prints it: no smart quotes ("D2L's", not "D2L’s")."""
    paragraph = nodes.paragraph("", "", *children)
    paragraph["support_smartquotes"] = False
    return paragraph


def _cell(*children: nodes.Node) -> nodes.entry:
    entry = nodes.entry()
    entry += _verbatim(*children)
    return entry


def _table(parser: argparse.ArgumentParser) -> nodes.table:
    """One row per argument: its names, its value, its help."""
    table = nodes.table(classes=["momentum-options"])
    group = nodes.tgroup(cols=3)
    table += group
    for width in (24, 16, 60):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for title in ("argument", "value", "what it is (default, range)"):
        row += _cell(nodes.Text(title))
    head += row
    body = nodes.tbody()
    group += body
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        names = list(action.option_strings) or [action.metavar or action.dest]
        row = nodes.row()
        words: list[nodes.Node] = []
        for k, name in enumerate(names):
            if k:
                words.append(nodes.Text(", "))
            words.append(nodes.literal(name, name))
        row += _cell(*words)
        value = _value(action)
        row += _cell(nodes.literal(value, value)) if value else _cell()
        row += _cell(*_with_options_as_code(_help_text(parser, action)))
        body += row
    return table


def _documented(env) -> dict[str, dict[str, int]]:
    """``{docname: {command: examples}}``, kept in the build environment."""
    if not hasattr(env, "momentum_cli_documented"):
        env.momentum_cli_documented = {}
    return env.momentum_cli_documented


class MomentumCommand(SphinxDirective):
    """A section documenting ``momentum NAME`` from the parser, then the content."""

    optional_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0] if self.arguments else ""
        parsers = _parsers()
        if name not in parsers:
            raise self.error(f"momentum has no subcommand {name!r}; it has {sorted(parsers)[1:]}")
        parser = parsers[name]
        command = f"momentum {name}".strip()
        section = nodes.section(
            ids=[nodes.make_id(command)], names=[nodes.fully_normalize_name(command)]
        )
        section += nodes.title(command, "", nodes.literal(command, command))
        summary = _summaries(parsers[""]).get(name) if name else parser.description
        if summary:
            sentence = summary[0].upper() + summary[1:].rstrip(".") + "."
            section += _verbatim(*_with_options_as_code(sentence))
        usage = _usage(parser)
        section += nodes.literal_block(usage, usage, language="text")
        section += _table(parser)
        self.env.temp_data["momentum_command"] = name
        _documented(self.env).setdefault(self.env.docname, {})[name] = 0
        self.state.nested_parse(self.content, self.content_offset, section)
        self.env.temp_data.pop("momentum_command", None)
        self.state.document.note_implicit_target(section, section)
        return [section]


class MomentumExample(SphinxDirective):
    """``$ momentum ARGS`` and what it printed, run while the docs build."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"exit": directives.nonnegative_int, "no-run": directives.flag}

    def run(self) -> list[nodes.Node]:
        line = " ".join(self.arguments[0].split())
        words = shlex.split(line)
        if words[:1] != ["momentum"]:
            raise self.error(f"an example starts with 'momentum': {line!r}")
        section = self.env.temp_data.get("momentum_command")
        if section is None:
            raise self.error("momentum-example belongs inside a momentum-command section")
        if section and words[1:2] != [section]:
            raise self.error(f"an example in the {section!r} section runs {line!r}")
        _parse_or_fail(self, words[1:])
        shown = f"$ {line}"
        block = nodes.literal_block(shown, shown, language="console", classes=["momentum-example"])
        self.set_source_info(block)
        if "no-run" not in self.options:
            # runs beside the others; _fill_in writes its output in when the page is read
            job = _POOL.submit(_run, words[1:])
            _RUNNING[id(block)] = (job, self.options.get("exit", 0))
        _documented(self.env)[self.env.docname][section] += 1
        return [block]


def _parse_or_fail(directive: MomentumExample, argv: list[str]) -> None:
    from momentum_cli.errors import UsageError
    from momentum_cli.main import build_parser
    from momentum_cli.parsing import negative_values

    if "exit" in directive.options:
        return  # an example of a refusal: it runs, and its exit code is checked
    try:
        build_parser().parse_args(negative_values(argv))
    except (UsageError, SystemExit) as exc:
        raise directive.error(f"the parser refuses the example {argv}: {exc}") from None


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    """The command, run in an empty folder of its own."""
    env = dict(os.environ, COLUMNS="100")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="momentum-docs-") as folder:
        return subprocess.run(
            [sys.executable, "-m", "momentum_cli.main", *argv],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )


def _fill_in(app, doctree) -> None:
    """Each example's block gets what its command printed (stdout, then stderr)."""
    for block in doctree.findall(nodes.literal_block):
        if id(block) not in _RUNNING:
            continue
        job, expected = _RUNNING.pop(id(block))
        done = job.result()
        command = block.astext()
        if done.returncode != expected:
            logger.warning(
                "%s exited %d, not %d: %s",
                command.removeprefix("$ "),
                done.returncode,
                expected,
                (done.stderr or done.stdout).strip()[-2000:],
                location=block,
            )
        shown = f"{command}\n{done.stdout}{done.stderr}".rstrip()
        block.clear()
        block += nodes.Text(shown)
        block.rawsource = shown


def _purge(app, env, docname: str) -> None:
    _documented(env).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    _documented(env).update(_documented(other))


def _check(app, env) -> None:
    """Every subcommand has its section and an example there."""
    examples: dict[str, int] = {}
    for found in _documented(env).values():
        for name, count in found.items():
            examples[name] = examples.get(name, 0) + count
    for name in _parsers():
        if not name:
            continue
        if name not in examples:
            logger.warning("momentum %s has no '.. momentum-command:: %s' section", name, name)
        elif not examples[name]:
            logger.warning("momentum %s has no '.. momentum-example::'", name)


def setup(app):
    app.add_directive("momentum-command", MomentumCommand)
    app.add_directive("momentum-example", MomentumExample)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check)
    app.connect("doctree-read", _fill_in)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
