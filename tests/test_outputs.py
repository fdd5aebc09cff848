"""A file in dist/ changed or damaged outside briefgen is never taken for the one built.

Each output's SHA-256, size and mtime_ns are recorded when it is written (the PDFs in
dist/.briefgen/manifest.json, the web edition's files in dist/.briefgen/site.json). A build
stats each output; one whose size or time differs is hashed, made again if its bytes are not
the ones written (and the build says so), and only re-recorded if they are (a ``touch``).
What a stat cannot see - other bytes of the same size, with the time put back - is seen by
a build of named briefings, by ``--explain`` and by ``publish``, which read the bytes.

The project here is built once (screen PDFs and the web edition, as ``briefgen build``
does) and copied for each test with its hard links: ``dist/site/<id>/<id>.pdf`` is the same
file as ``dist/<id>.pdf``, as after a real build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

import briefgen
from briefgen.incremental.builder import build_profiles, build_project
from conftest import FIXTURES, make_project

ALL = ["admm-plus-counter-terrorism", "defector-asylum", "military-cooperation",
       "russia-military-ties"]
DA = "defector-asylum"
PDF = f"dist/{DA}.pdf"
COPY = f"dist/site/{DA}/{DA}.pdf"
PAGE = f"dist/site/{DA}/index.html"
CSS = "dist/site/_assets/default/site.css"


def copy_keeping_links(source: Path, dest: Path) -> None:
    """shutil.copytree with times, and with hard links kept as hard links."""
    seen: dict[tuple[int, int], Path] = {}
    for folder, dirs, names in os.walk(source):
        dirs.sort()
        out = dest / Path(folder).relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for name in sorted(names):
            path = Path(folder) / name
            st = path.stat()
            if (st.st_dev, st.st_ino) in seen:
                os.link(seen[st.st_dev, st.st_ino], out / name)
            else:
                shutil.copy2(path, out / name)
                seen[st.st_dev, st.st_ino] = out / name
        shutil.copystat(folder, out)


@pytest.fixture(scope="module")
def _built(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("outputs") / "project",
                        FIXTURES / "full" / "briefings")
    results = build_profiles(root, formats=("pdf", "html"))  # as `briefgen build` does
    assert all(r.ok for r in results.values()), results
    return root


@pytest.fixture
def project(_built: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    copy_keeping_links(_built, dest)
    assert os.path.samefile(dest / PDF, dest / COPY)
    return dest


def outputs(root: Path) -> dict[str, tuple[str, int]]:
    """Every file the build wrote (not its state in dist/.briefgen): hash and mtime_ns."""
    dist = root / "dist"
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                             p.stat().st_mtime_ns)
            for p in sorted(dist.rglob("*")) if p.is_file() and ".briefgen" not in p.parts}


def rewritten(before: dict, after: dict) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def same_size_edit_time_put_back(path: Path) -> None:
    """Another byte in the middle, written in place, and the file's times set back: what a
    stat cannot tell from the file that was written."""
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek(st.st_size // 2)
        byte = fh.read(1)
        fh.seek(st.st_size // 2)
        fh.write(bytes([byte[0] ^ 0x20]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


# ---------------------------------------------------------------------- a PDF damaged
@pytest.mark.parametrize("damage", ["truncated", "junk appended"])
def test_a_damaged_pdf_is_rendered_again_and_the_build_says_so(project: Path, cli,
                                                               damage: str) -> None:
    pdf = project / PDF
    good, before = pdf.read_bytes(), outputs(project)
    with pdf.open("r+b") as fh:  # in place, as `cat damaged > pdf`: the page's copy too
        if damage == "truncated":
            fh.truncate(1000)
        else:
            fh.seek(0, os.SEEK_END)
            fh.write(b"\n% junk\n")
    code, out, err = cli("build", "--root", str(project))
    assert code == 0, out + err
    assert out.splitlines()[-4:] == [
        f"rebuilt {DA}: {PDF} was changed outside briefgen",
        "screen: built 1, unchanged 3, failed 0, removed 0",
        f"rebuilt {DA} (web): {COPY} was changed outside briefgen",
        "web: built 1, unchanged 3, failed 0, removed 0"]
    assert pdf.read_bytes() == good and (project / COPY).read_bytes() == good
    pdf.write_bytes(good[:1000])  # --json says so too
    code, out, _ = cli("build", "--root", str(project), "--json")
    report = json.loads(out)
    assert code == 0 and report["screen"]["rebuilt"] == {
        DA: f"{PDF} was changed outside briefgen"}
    assert report["html"]["rebuilt"] == {f"{DA} (web)": f"{COPY} was changed outside briefgen"}
    # the PDF and the page's copy of it are written again; nothing else (the page's own
    # bytes are the same, so it is not written)
    assert rewritten(before, outputs(project)) == {PDF, COPY}
    code, out, _ = cli("build", "--root", str(project))
    assert code == 0 and "screen: built 0, unchanged 4" in out and "web: built 0, unchanged 4" in out


def test_publish_never_freezes_a_damaged_pdf(project: Path, cli) -> None:
    """The issue's case: the truncated PDF was frozen as an edition. Publishing builds
    first, and the build makes it again."""
    pdf = project / PDF
    good = pdf.read_bytes()
    pdf.write_bytes(good[:1000])
    code, out, err = cli("publish", DA, "--root", str(project), "--by", "me", "--note", "x")
    assert code == 0, out + err
    edition = next((project / "editions" / DA).iterdir())
    assert (edition / f"{DA}.pdf").read_bytes() == good
    meta = json.loads((edition / "edition.json").read_text())
    assert meta["files"][f"{DA}.pdf"] == hashlib.sha256(good).hexdigest()
    assert (edition / f"site/{DA}.pdf").read_bytes() == good
    assert f"warning: rebuilt {DA}: {PDF} was changed outside briefgen\n" in err


# ---------------------------------------------------------------------- what a stat misses
def test_a_same_size_edit_with_its_time_put_back(project: Path, cli) -> None:
    """Not seen by a build of everything (it stats, and the stat is the same: the
    documented limit), but by a build of the briefing by name, by --explain and by
    publish, which read its bytes."""
    pdf = project / PDF
    good, before = pdf.read_bytes(), outputs(project)
    same_size_edit_time_put_back(pdf)
    damaged = outputs(project)
    code, out, _ = cli("build", "--root", str(project))
    assert code == 0 and "screen: built 0, unchanged 4" in out and "rebuilt" not in out
    assert outputs(project) == damaged
    code, out, _ = cli("build", "--root", str(project), "--explain", DA)
    assert code == 0
    assert out.splitlines()[-1] == (f"{DA}: would rebuild: {PDF} was changed outside briefgen "
                                    "(its SHA-256 is not the one it was written with)")
    code, out, err = cli("build", DA, "--root", str(project))
    assert code == 0, out + err
    assert out.splitlines()[-4:] == [
        f"rebuilt {DA}: {PDF} was changed outside briefgen",
        "screen: built 1, unchanged 0, failed 0, removed 0",
        f"rebuilt {DA} (web): {COPY} was changed outside briefgen",
        "web: built 1, unchanged 0, failed 0, removed 0"]
    assert pdf.read_bytes() == good and (project / COPY).read_bytes() == good
    assert rewritten(before, outputs(project)) == {PDF, COPY}


def test_publish_reads_the_bytes_and_makes_an_edited_pdf_again(project: Path, cli) -> None:
    pdf = project / PDF
    good = pdf.read_bytes()
    same_size_edit_time_put_back(pdf)
    code, out, err = cli("publish", DA, "--root", str(project), "--by", "me", "--note", "x")
    assert code == 0, out + err
    edition = next((project / "editions" / DA).iterdir())
    assert (edition / f"{DA}.pdf").read_bytes() == good == pdf.read_bytes()
    assert f"warning: rebuilt {DA}: {PDF} was changed outside briefgen\n" in err


def test_publish_refuses_a_pdf_changed_after_its_build(project: Path, cli,
                                                       monkeypatch) -> None:
    """Changed between the build publish runs and the reading of the PDF (another program
    writing to dist/): nothing is published, nothing is written."""
    from briefgen.incremental import builder

    real = builder.build_profiles

    def build_then_change(*args, **kwargs):
        results = real(*args, **kwargs)
        same_size_edit_time_put_back(project / PDF)
        return results

    monkeypatch.setattr(builder, "build_profiles", build_then_change)
    code, out, err = cli("publish", DA, "--root", str(project), "--by", "me", "--note", "x")
    assert code == 1, out + err
    assert err.splitlines()[-1] == (
        f"briefgen: {PDF} is not the PDF briefgen built for {DA}: it was changed outside "
        "briefgen while it was being published (is another program writing to dist/?); "
        f"nothing was published. Run `briefgen publish {DA}` again: it builds the PDF again "
        "first")
    assert "Traceback" not in err and not (project / "editions").exists()


def test_without_the_summary_every_pdf_is_hashed(project: Path) -> None:
    """The stats in the manifest are believed only while the summary written after it
    vouches for its bytes: without it, a build reads every PDF."""
    same_size_edit_time_put_back(project / PDF)
    (project / "dist/.briefgen/manifest-summary.json").unlink()
    result = build_project(project)
    assert result.built == [DA] and sorted(result.unchanged) == sorted(set(ALL) - {DA})
    assert result.repaired == {DA: f"{PDF} was changed outside briefgen"}


# ---------------------------------------------------------------------- a new time only
def test_a_touched_pdf_is_hashed_once_not_rendered(project: Path, monkeypatch) -> None:
    """Same bytes, new time (``touch``, a copy): read once and found the same; nothing is
    rendered or written; the records take the new time, so the next build answers from
    stats alone again, reading no PDF and no YAML."""
    from briefgen.incremental import builder, manifest
    from briefgen.render.html import HtmlRenderer

    pdf = project / PDF
    st = pdf.stat()
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    before = outputs(project)
    hashed: list[str] = []
    real = manifest.hashlib.file_digest

    def counting(fh, name):
        hashed.append(Path(fh.name).relative_to(project).as_posix())
        return real(fh, name)

    def never(*args, **kwargs):
        raise AssertionError("nothing is rendered")

    monkeypatch.setattr(manifest.hashlib, "file_digest", counting)
    monkeypatch.setattr(builder, "render_one", never)
    monkeypatch.setattr(HtmlRenderer, "page", never)
    results = build_profiles(project, formats=("pdf", "html"))
    assert hashed == [PDF, COPY]  # the PDF by the build, its copy (the same file) by the page
    for result in results.values():
        assert result.built == [] and sorted(result.unchanged) == ALL and not result.repaired
    assert outputs(project) == before

    hashed.clear()
    monkeypatch.setattr("briefgen.workspace.open_workspace", never)
    results = build_profiles(project, formats=("pdf", "html"))
    assert sorted(results["screen"].unchanged) == ALL and sorted(results["html"].unchanged) == ALL
    assert hashed == []


# ---------------------------------------------------------------------- the web edition
@pytest.mark.parametrize("what", ["page", "stylesheet", "copy replaced"])
def test_a_web_file_changed_by_hand_is_made_again(project: Path, cli, what: str) -> None:
    path = project / {"page": PAGE, "stylesheet": CSS, "copy replaced": COPY}[what]
    good, before = path.read_bytes(), outputs(project)
    if what == "copy replaced":  # an editor's save: a new file renamed over, link broken
        other = path.with_name("other.tmp")
        other.write_bytes(good[:-10] + b"0123456789")
        other.replace(path)
    else:
        with path.open("ab") as fh:
            fh.write(b"<!-- edited -->\n" if what == "page" else b"body { color: red }\n")
    code, out, err = cli("build", "--root", str(project))
    assert code == 0, out + err
    rel = path.relative_to(project).as_posix()
    if what == "stylesheet":
        said = f"rebuilt the stylesheet and fonts of brand default (web): {rel} was changed " \
               "outside briefgen"
        summary = "web: built 0, unchanged 4, failed 0, removed 0"
    else:
        said = f"rebuilt {DA} (web): {rel} was changed outside briefgen"
        summary = "web: built 1, unchanged 3, failed 0, removed 0"
    assert out.splitlines()[-3:] == ["screen: built 0, unchanged 4, failed 0, removed 0",
                                     said, summary]
    assert path.read_bytes() == good
    if what == "copy replaced":  # the same file as the PDF again: as before, to the ns
        assert os.path.samefile(path, project / PDF)
        assert rewritten(before, outputs(project)) == set()
    else:
        assert rewritten(before, outputs(project)) == {rel}  # that alone, the PDFs untouched


# ---------------------------------------------------------------------- a folder in the way
@pytest.mark.parametrize("edited", [False, True], ids=["inputs-unchanged", "inputs-edited"])
def test_a_pdf_that_cannot_be_written_keeps_its_page_whole(project: Path, cli,
                                                          edited: bool) -> None:
    """The page is not rewritten without its PDF links, and its copy of the PDF is kept:
    it fails with the PDF and keeps its previous version, as does the index."""
    page_files = [f"dist/site/{DA}/{n}" for n in ("index.html", "share.png", f"{DA}.pdf")]
    before = outputs(project)
    pdf = project / PDF
    pdf.unlink()
    pdf.mkdir()
    (pdf / "x").touch()
    if edited:  # every briefing prints the publisher: all are built again, but this one
        publisher = project / "briefings/facts/publisher.yaml"
        text = publisher.read_text(encoding="utf-8")
        publisher.write_text(text.replace("Burma Campaign UK", "Burma Campaign U.K.", 1),
                             encoding="utf-8")
    code, out, err = cli("build", "--root", str(project), "--jobs", "1")
    assert code == 1
    assert err.splitlines() == [f"{DA}: not built; its previous PDF is kept", f"  {PDF}",
                                f"    {PDF}: cannot write: a folder is in the way; move it aside"]
    assert f"failed {DA} (web)" in out.splitlines()
    assert out.splitlines()[-3:] == [
        f"screen: built {3 if edited else 0}, unchanged {0 if edited else 3}, failed 1, "
        "removed 0",
        f"the index, feed and sitemap keep their previous version until {DA} can be built",
        f"web: built {3 if edited else 0}, unchanged {0 if edited else 3}, failed 1, removed 0"]
    after = outputs(project)
    for name in [*page_files, "dist/site/index.html", "dist/site/feed.xml"]:
        assert after[name] == before[name], name
    if not edited:
        code, out, err = cli("build", "--root", str(project), "--format", "html")
        assert code == 1
        assert err.splitlines() == [
            f"{DA}: not built; its previous page is kept", f"  {PDF}",
            f"    {PDF}: the PDF the web page offers is missing since it was built; build "
            "the PDFs again (briefgen build)"]
        assert outputs(project) == after
    shutil.rmtree(pdf)
    code, out, err = cli("build", "--root", str(project))
    assert code == 0, out + err
    assert (project / COPY).read_bytes() == pdf.read_bytes()
    links = briefgen.open_workspace(project)  # the page offers its PDF again
    assert links.ok(DA) and f'href="{DA}.pdf"' in (project / PAGE).read_text()


# ---------------------------------------------------------------------- links under dist/
@pytest.mark.parametrize("linked", ["page folder", "print folder", "pdf"])
def test_a_link_under_dist_is_replaced_and_what_it_points_to_is_never_read_or_written(
        project: Path, cli, linked: str, tmp_path: Path) -> None:
    """A folder or file of the build's output replaced by a symbolic link to somewhere
    outside the project (``dist/site/<id>`` linked to a folder of the web server, say): the
    build neither reads nor writes through the link. It removes the link and writes a real
    folder or file in its place; what the link pointed to is left exactly as it was."""
    import sys

    outside = tmp_path / "outside"
    if linked == "print folder":
        assert cli("build", "--root", str(project), "--profile", "print")[0] == 0
    inside = {"page folder": project / f"dist/site/{DA}", "print folder": project / "dist/print",
              "pdf": project / PDF}[linked]
    if inside.is_dir():
        shutil.copytree(inside, outside)  # the same files, outside
        shutil.rmtree(inside)
        inside.symlink_to(outside, target_is_directory=True)
    else:
        outside.mkdir()
        shutil.copy2(inside, outside / inside.name)
        inside.unlink()
        inside.symlink_to(outside / inside.name)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(outside.rglob("*"))}
    opened: list[str] = []
    active = [True]  # an audit hook cannot be removed: it stops looking after this test

    def audit(event: str, args: tuple) -> None:
        if active and event == "open" and isinstance(args[0], str | Path) and \
                str(outside) in os.path.realpath(args[0]):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    try:
        code, out, err = cli("build", "--root", str(project), "--profile", "all")
    finally:
        active.clear()
    assert code == 0, out + err
    assert not inside.is_symlink() and inside.exists()
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(outside.rglob("*"))} \
        == before
    assert opened == []
    code, out, err = cli("build", "--root", str(project), "--profile", "all")
    assert code == 0 and "built 0" in out, out + err  # and then all is in order


def test_dist_itself_may_be_a_link_and_a_touched_pdf_is_hashed_not_rebuilt(
        project: Path, cli, tmp_path: Path) -> None:
    """``dist/`` linked elsewhere is the user's choice of where the output goes: followed,
    and judged as a real folder is (a touched PDF is hashed and kept)."""
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "dist", elsewhere)
    (project / "dist").symlink_to(elsewhere, target_is_directory=True)
    os.utime(project / PDF)  # same bytes, a new time
    before = (project / PDF).read_bytes()
    code, out, err = cli("build", "--root", str(project))
    assert code == 0 and "screen: built 0, unchanged 4" in out, out + err
    assert (project / "dist").is_symlink() and (project / PDF).read_bytes() == before
