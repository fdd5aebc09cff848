"""briefgen against Typst on the same content (a script, not a test).

    python benchmarks/typst_compare.py [--briefings 100] [--repeat 3]

Needs the ``typst`` Python package (Typst's compiler; not a briefgen dependency:
``pip install typst``). The synthetic project of ``synthetic.py`` is resolved by briefgen,
and each briefing is written out as a Typst document with the same text: title, subtitle,
lead, headings, paragraphs with their footnotes at the page foot, the numbered country list
with statements, notes and source links, the appendix, in the brand's Lato fonts on A4.
Typst then compiles the 100 documents, one after another in one process (the binding's
fastest use), and in two processes; briefgen builds the same 100 PDFs as a whole
``briefgen build --force --jobs 2`` command. Medians of ``--repeat`` rounds, alternating.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import make_project


def text(value: str) -> str:
    return "#" + json.dumps(value, ensure_ascii=False)  # a Typst string in content


def para(p) -> str:
    out = []
    for span in p.spans:
        if span.note is not None:
            continue  # notes come after, as footnotes
        t = text(span.text)
        if span.bold:
            t = f"#strong[{t}]"
        if span.italic:
            t = f"#emph[{t}]"
        out.append(t)
    return "".join(out)


def document(doc) -> str:
    from briefgen.resolve.model import CountryListBlock, Heading, Para

    def notes(p) -> str:
        return "".join(f"#footnote[{note(n)}]" for n in p.notes)

    def note(number: int) -> str:
        n = doc.notes[number]
        body = text(", ".join(x for x in (n.publisher, n.title, n.date) if x))
        return f"{body} #link({json.dumps(n.url)})" if n.url else body

    lines = ['#set page(paper: "a4", margin: (top: 22mm, bottom: 24mm, x: 20mm))',
             '#set text(font: "Lato", size: 10pt)',
             f"#block(fill: rgb(\"#8E1B2E\"), inset: 8mm, width: 100%)"
             f"[#text(fill: white, weight: \"bold\")[{text(doc.publisher.name)}]]",
             f"#text(size: 23pt, weight: \"black\")[{text(doc.title)}]", ""]
    if doc.subtitle:
        lines += [f"#text(size: 12pt)[{text(doc.subtitle)}]", ""]
    lines += [para(p) + notes(p) + "\n" for p in doc.lead]
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines.append(f"== {text(block.text)}\n")
        elif isinstance(block, Para):
            lines.append(para(block) + notes(block) + "\n")
        elif isinstance(block, CountryListBlock):
            for e in block.entries:
                item = [f"+ #strong[{text(e.name)}]"]
                for s in e.statements:
                    item.append(f"  {para(s)}{notes(s)}")
                for link in e.sources:
                    item.append(f"  #text(size: 8pt)[{text(link.label)} "
                                f"#link({json.dumps(link.url or '')})]")
                lines.append(" \\\n".join(item))
            lines.append("")
    lines.append(f"== {text('More information')}")
    lines += [f"{text(i.label)} #link({json.dumps(i.url or '')})\n"
              for i in doc.more_information]
    return "\n".join(lines)


def compile_all(args: tuple[list[str], str]) -> float:
    import typst

    files, fonts = args
    start = time.perf_counter()
    for path in files:
        typst.compile(path, output=path[:-4] + ".pdf", font_paths=[fonts])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefings", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import briefgen

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        make_project(root, args.briefings)
        ws = briefgen.open_workspace(root)
        out = Path(tmp) / "typst"
        out.mkdir()
        files = []
        for bid in ws.ids:
            path = out / f"{bid}.typ"
            path.write_text(document(ws.document(bid)), encoding="utf-8")
            files.append(str(path))
        fonts = str(root / "styles/fonts")
        compile_all((files[:1], fonts))  # warm: the first compile loads the fonts
        halves = [(files[0::2], fonts), (files[1::2], fonts)]
        rounds: dict[str, list[float]] = {}
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for _ in range(args.repeat):
            rounds.setdefault("Typst, one process (s)", []).append(compile_all((files, fonts)))
            start = time.perf_counter()
            # spawned, not forked: the parent's Typst has started its own threads, and a
            # forked child waits forever on their locks
            with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
                list(pool.map(compile_all, halves))
            rounds.setdefault("Typst, two processes (s)", []).append(
                time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--root", str(root),
                            "--force", "--jobs", "2", "--format", "pdf"], check=True,
                           capture_output=True, env=env)
            rounds.setdefault("briefgen build --force --jobs 2 (s)", []).append(
                time.perf_counter() - start)
        medians = {k: statistics.median(v) for k, v in rounds.items()}
        for key, value in medians.items():
            print(f"{key:42} {value:8.2f}")
        ours = medians["briefgen build --force --jobs 2 (s)"]
        print(f"{'briefgen / Typst one process':42} "
              f"{ours / medians['Typst, one process (s)']:8.2f}")
        print(f"{'briefgen / Typst two processes':42} "
              f"{ours / medians['Typst, two processes (s)']:8.2f}")


if __name__ == "__main__":
    main()
