"""What every command shares: plain lines on pipes, colour on a terminal (rich), never
markup taken from content; located reports; progress."""

from __future__ import annotations

import contextlib
import os
import sys

from ..errors import Diagnostic, Report


def at_least(low: int):
    """An argparse type: a whole number no smaller than ``low`` (``--jobs 0`` or
    ``--stale-months -5`` used to be taken as given)."""
    import argparse

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value}: give {low} or more")
        return value

    parse.__name__ = "number"
    return parse


class Output:
    """Plain lines on pipes; colour on a terminal (rich), never markup from content. The
    consoles are made on first use: a command whose output goes to a pipe, or that prints
    nothing, does not import rich."""

    def __init__(self) -> None:
        self._out = self._err = None

    def _console(self, err: bool):
        from rich.console import Console

        return Console(stderr=err, highlight=False, soft_wrap=True)

    @property
    def out(self):
        if self._out is None:
            self._out = self._console(False)
        return self._out

    @property
    def err(self):
        if self._err is None:
            self._err = self._console(True)
        return self._err

    def line(self, text: str = "", style: str | None = None, *, err: bool = False) -> None:
        stream = sys.stderr if err else sys.stdout
        try:
            if not stream.isatty():  # plain text: what the tests and pipes read
                print(text, file=stream)
                return
            (self.err if err else self.out).print(text, style=style, markup=False)
        except BrokenPipeError:  # `briefgen build | head -1`: the reader has gone, the
            reader_gone(stream)  # work goes on (a build stopped half-way helps no one)


def reader_gone(stream) -> None:
    """Send what is still written to ``stream`` nowhere: its reader has closed the pipe.
    (Python's advice: point the file descriptor at /dev/null, so that neither later lines
    nor the flush at exit fail again.)"""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def _text(d: Diagnostic) -> str:
    if d.is_error:
        return str(d)
    return f"{d.location}: {d.key + ': ' if d.key else ''}warning: {d.message}"


def print_report(out: Output, diagnostics: list[Diagnostic], *, err: bool = False,
                 indent: str = "") -> None:
    """Each diagnostic on its own line, under the name of its file."""
    current = None
    for d in diagnostics:
        if d.location.path != current:
            current = d.location.path
            out.line(f"{indent}{current}", "bold", err=err)
        out.line(f"{indent}  {_text(d)}", "red" if d.is_error else "yellow", err=err)


SHOWN = 3  # locations shown for a group of warnings


def print_check(out: Output, report: Report, *, verbose: bool = False) -> None:
    """Every error on its own line; warnings one line per cause (all of them with
    ``verbose``), so that a real problem does not drown in routine reminders."""
    diagnostics = report.sorted()
    if verbose:
        print_report(out, diagnostics)
    else:
        print_report(out, [d for d in diagnostics if d.is_error])
        groups = report.warning_groups()
        if groups:
            out.line("warnings (briefgen check --verbose lists each one)", "bold")
        for group in groups:
            if len(group.items) == 1:
                out.line(f"  {_text(group.items[0])}", "yellow")
                continue
            places = ", ".join(str(d.location) for d in group.items[:SHOWN])
            more = len(group.items) - SHOWN
            tail = f" and {more} more" if more > 0 else ""
            out.line(f"  {len(group.items)} {group.title}: {places}{tail}", "yellow")
    if diagnostics:
        out.line()


def count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


@contextlib.contextmanager
def build_progress(out: Output, enabled: bool, prefix: str = ""):
    """A rich progress bar on a terminal; one plain line per briefing otherwise."""
    if not enabled:
        yield None
        return
    if sys.stdout.isatty():
        from rich.progress import BarColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed} done"), console=out.out,
                      transient=True) as progress:
            task = progress.add_task("building", total=None)

            def on_event(event: str, bid: str) -> None:
                if event == "start":
                    progress.update(task, description=f"{prefix}building {bid}")
                elif event in ("built", "failed"):
                    progress.advance(task)
                    progress.console.print(f"{prefix}{event} {bid}", markup=False,
                                           highlight=False)
                elif event == "removed":
                    progress.console.print(f"{prefix}removed {bid}", markup=False,
                                           highlight=False)

            yield on_event
        return

    def plain(event: str, bid: str) -> None:
        if event != "start":
            out.line(f"{prefix}{event} {bid}")

    yield plain


