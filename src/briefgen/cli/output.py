"""What every command shares: plain lines on pipes, colour on a terminal (rich), never
markup taken from content; located reports; progress."""

from __future__ import annotations

import contextlib

from ..errors import Diagnostic, Report


class Output:
    """Plain lines on pipes; colour on a terminal (rich), never markup from content."""

    def __init__(self) -> None:
        from rich.console import Console

        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def line(self, text: str = "", style: str | None = None, *, err: bool = False) -> None:
        (self.err if err else self.out).print(text, style=style, markup=False)


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
    if out.out.is_terminal:
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


