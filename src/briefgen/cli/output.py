"""What every command shares: plain lines on pipes, colour on a terminal (rich), never
markup taken from content; located reports; progress."""

from __future__ import annotations

import contextlib

from ..errors import Diagnostic


class Output:
    """Plain lines on pipes; colour on a terminal (rich), never markup from content."""

    def __init__(self) -> None:
        from rich.console import Console

        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def line(self, text: str = "", style: str | None = None, *, err: bool = False) -> None:
        (self.err if err else self.out).print(text, style=style, markup=False)


def print_report(out: Output, diagnostics: list[Diagnostic], *, err: bool = False) -> None:
    current = None
    for d in diagnostics:
        if d.location.path != current:
            current = d.location.path
            out.line(current, "bold", err=err)
        text = str(d) if d.is_error else f"{d.location}: {d.key + ': ' if d.key else ''}" \
                                         f"warning: {d.message}"
        out.line(f"  {text}", "red" if d.is_error else "yellow", err=err)


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


