"""Never publish a wrong briefing: the adversarial cases of the trust review.

Each case is what a tired editor or an attacker could do to a project. Every one must end in
a located error (exit 1) or a usage error (exit 2) - never exit 3, never a traceback - and
no briefing that depends on the broken input may be rebuilt: its previous PDF stays
byte-identical.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import briefgen
from briefgen.files import build_lock

DEPENDS_ON_JAPAN = ["admm-plus-counter-terrorism", "defector-asylum", "military-cooperation"]


def pdfs(root: Path) -> dict[str, str]:
    """The built PDFs (not the web edition's links to them in dist/site/: test_web.py)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "dist").rglob("*.pdf")) if "site" not in p.parts[-3:-1]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def no_crash(code: int, out: str, err: str) -> None:
    assert code in (1, 2), (code, out, err)
    assert "internal error" not in out + err and "Traceback" not in out + err


# ---------------------------------------------------------------------- dependencies
def test_a_link_to_a_file_outside_the_project_is_not_read(built_full: Path, tmp_path: Path,
                                                          cli) -> None:
    """Nothing outside the project is read unless the user named it: a country file that is
    a symbolic link out of the project is an error (it was read silently), like a font's;
    a link inside the project is fine."""
    before = pdfs(built_full)
    japan = built_full / "briefings/facts/countries/japan.yaml"
    outside = tmp_path / "elsewhere" / "japan.yaml"
    outside.parent.mkdir()
    japan.rename(outside)
    japan.symlink_to(outside)
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert (f"  briefings/facts/countries/japan.yaml: this is a link to {outside}, outside the "
            "project: briefgen reads only the project's own files (put the file itself here "
            "instead of a link)\n") in out
    code, out, err = cli("build", "--root", str(built_full), "--format", "pdf", "--force")
    no_crash(code, out, err)
    assert pdfs(built_full) == before
    inside = built_full / "briefings/japan-original.txt"
    japan.unlink()
    outside.rename(inside)
    japan.symlink_to(inside)
    assert cli("check", "--root", str(built_full))[0] == 0


def test_a_fact_dated_after_the_briefing_fails_it(built_full: Path, cli) -> None:
    """'as_of: 2029-07' for 2019-07: printed, the briefing of 23 November 2026 would say
    its facts are as of July 2029. The briefings that use the fact fail, with the place to
    fix; a date in the briefing's own month is fine."""
    before = pdfs(built_full)
    india = built_full / "briefings/facts/countries/india.yaml"
    edit(india, "    as_of: 2019-07\n", "    as_of: 2029-07\n")
    code, out, err = cli("build", "--root", str(built_full), "--format", "pdf")
    no_crash(code, out, err)
    assert err == (
        "military-cooperation: not built; its previous PDF is kept\n"
        "  briefings/facts/countries/india.yaml\n"
        "    briefings/facts/countries/india.yaml:7:12: facts[0].as_of: 2029-07 is after "
        "the date of briefing 'military-cooperation' (2026-11-23), which would then print "
        "facts as of a day that had not come: check the year, or give the briefing a later "
        "date\n")
    assert pdfs(built_full) == before
    edit(india, "    as_of: 2029-07\n", "    as_of: 2026-11\n")
    code, out, err = cli("check", "--root", str(built_full))
    assert code == 0, out


@pytest.mark.parametrize("damage", [
    ("    as_of: 2021\n", "    as_of: 2021-13\n"),  # a date typo
    ("  - id: admm-plus-2023-absent", "   - id: admm-plus-2023-absent"),  # a bad indent
    ("sources: [csos-2023-admm-plus-letter]", "sources: [csos-2023-admm-plus-leter]"),
])
def test_a_broken_country_file_fails_every_briefing_that_could_use_it(built_full: Path, cli,
                                                                      damage) -> None:
    before = pdfs(built_full)
    japan = built_full / "briefings/facts/countries/japan.yaml"
    edit(japan, *damage)
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert "briefings/facts/countries/japan.yaml:" in out
    code, out, err = cli("build", "--root", str(built_full))
    no_crash(code, out, err)
    for bid in DEPENDS_ON_JAPAN:  # names Japan, or selects countries by topic
        assert f"{bid}: not built; its previous PDF is kept" in err
    assert "briefings/facts/countries/japan.yaml has errors: a country could be missing " \
           "from the list" in err
    assert "russia-military-ties: not built" not in err  # lists Russia and China by name
    assert pdfs(built_full) == before  # nothing rewritten, nothing half-written
    assert "built 0, unchanged 1, failed 3, removed 0" in out


def test_nothing_is_built_from_a_partly_loaded_fact_base(built_full: Path) -> None:
    edit(built_full / "briefings/facts/countries/japan.yaml", "name: Japan", "name: [Japan")
    ws = briefgen.open_workspace(built_full)
    assert "japan" in ws.base.broken_entities
    for bid in DEPENDS_ON_JAPAN:
        assert not ws.ok(bid)
    assert ws.ok("russia-military-ties")


def test_a_broken_publisher_stops_every_briefing(built_full: Path, cli) -> None:
    before = pdfs(built_full)
    edit(built_full / "briefings/facts/publisher.yaml", "email: info@burmacampaign.org.uk",
         "email: info-at-burmacampaign")
    code, out, err = cli("build", "--root", str(built_full))
    no_crash(code, out, err)
    assert "failed 4" in out and pdfs(built_full) == before
    assert "the publisher file has errors (briefings/facts/publisher.yaml); every briefing " \
           "prints it, so none can be built" in err


# ---------------------------------------------------------------------- check ⇒ build
CASES = {
    "misspelt source in a fact": ("briefings/facts/countries/russia.yaml",
                                  "sources: [milru-news-12191987]",
                                  "sources: [milru-news-1219198]",
                                  "unknown source 'milru-news-1219198' (did you mean "
                                  "'milru-news-12191987'?)"),
    "unknown key in a source": ("briefings/facts/sources/news.yaml",
                                "  publisher: Reuters\n", "  publisher: Reuters\n  auther: x\n",
                                "unknown key 'auther'"),
    "javascript: URL in a source": ("briefings/facts/sources/news.yaml",
                                    "url: https://www.reuters.com/article/us-thailand-myanmar-"
                                    "idUSKCN1G01D1", "url: javascript:alert(1)",
                                    "is not a web address: it has 'javascript:'"),
    "bad date in a source": ("briefings/facts/sources/news.yaml", "published: 2021-02-02",
                             "published: 2021-02-30", "'2021-02-30' is not a valid date"),
    "unknown brand": ("briefings/russia-military-ties.yaml", "brand: default",
                      "brand: defualt", "brand: unknown brand sheet 'defualt' (did you mean "
                                        "'default'?)"),
    "logo colour name": ("styles/default.yaml", "fill: accent}", "fill: band_txt}",
                         "logo.shapes[1].fill: unknown colour 'band_txt' (did you mean "
                         "'band_text'?)"),
    "infinite logo radius": ("styles/default.yaml", "r: 45,", "r: .inf,",
                             "logo.shapes[0].r:"),
    "bad RGB": ("styles/default.yaml", 'rgb: "#8E1B2E"', 'rgb: "#8E1B2"',
                "'#8E1B2' is not an RGB colour: use #RRGGBB"),
    "font outside styles/": ("styles/default.yaml", "regular: fonts/LiberationMono-Regular.ttf",
                             "regular: ../../../../etc/passwd.ttf",
                             "is outside the styles/ folder"),
    "header placeholder": ("styles/default.yaml", 'header: "{short_title}"',
                           'header: "{short_title.__class__}"',
                           "header: '{short_title.__class__}' is not allowed here; use "
                           "{short_title}, {title} or {publisher}"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_check_passes_build_builds_and_what_breaks_is_located(built_full: Path, cli,
                                                                   case: str) -> None:
    path, old, new, message = CASES[case]
    before = pdfs(built_full)
    edit(built_full / path, old, new)
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert message in out, out
    located = next(line for line in out.splitlines() if message in line)
    assert located.strip().startswith(f"{path}:")
    code, out, err = cli("build", "--root", str(built_full))
    no_crash(code, out, err)
    assert pdfs(built_full) == before


@pytest.mark.parametrize("schema_error", [True, False], ids=["with", "without"])
def test_a_brand_sheet_says_all_its_errors_at_once(built_full: Path, cli,
                                                   schema_error: bool) -> None:
    """A schema error hid the font files and the language entries until it was fixed, and
    any error hid the languages' own: a designer fixed a sheet in rounds."""
    sheet = built_full / "styles/default.yaml"
    if schema_error:
        edit(sheet, 'rgb: "#8E1B2E"', 'rgb: "#8E1B2"')
    edit(sheet, "bold: fonts/Lato-Bold.ttf", "bold: fonts/Lato-Bolt.ttf")
    edit(sheet, "roles: {title: padauk,", "roles: {title: padok,")
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    said = [line.strip() for line in out.splitlines() if line.startswith("  styles/")]
    assert said == [
        *(["styles/default.yaml:10:52: colours.brand.rgb: '#8E1B2' is not an RGB colour: "
           "use #RRGGBB"] if schema_error else []),
        "styles/default.yaml:27:13: fonts.families.lato-text.bold: font file "
        "'fonts/Lato-Bolt.ttf' not found",
        "styles/default.yaml:73:22: languages.my.fonts.roles.title: unknown font family "
        "'padok' (did you mean 'padauk'?)"]


SHEET, EN = "styles/default.yaml", "styles/strings/en.yaml"
MC = "briefings/military-cooperation.yaml"
#: name -> (edits: (file, old, new)...), the error lines check must print, exactly
SAID_ONCE = {
    "a NUL in a font's name, with a schema error": (
        [(SHEET, 'rgb: "#8E1B2E"', "rgb: red"),
         (SHEET, "bold: fonts/Lato-Black.ttf", 'bold: "fonts/La\\0to.ttf"')],
        [f"{SHEET}:10:52: colours.brand.rgb: 'red' is not an RGB colour: use #RRGGBB",
         f"{SHEET}:22:13: fonts.families.lato.bold: 'fonts/La\\x00to.ttf' cannot be used as "
         "a font file (embedded null byte)",
         f"{SHEET}:22:22: fonts.families.lato.bold: contains control character U+0000 "
         "(NULL), written as \\0; delete it"]),
    "a font name too long, in a language": (
        [(SHEET, "regular: fonts/Padauk-Regular.ttf", f"regular: fonts/{'a' * 300}.ttf")],
        [f"{SHEET}:69:20: languages.my.fonts.families.padauk.regular: 'fonts/{'a' * 74}' "
         "cannot be used as a font file (File name too long)"]),
    "a language's wrong value, with a schema error": (
        [(SHEET, 'rgb: "#8E1B2E"', "rgb: red"), (SHEET, "label: ", "label: 5 #", 2)],
        [f"{SHEET}:10:52: colours.brand.rgb: 'red' is not an RGB colour: use #RRGGBB",
         f"{SHEET}:82:12: languages.my.label: expected text, got a number (5)"]),
    "an error a language only inherits": (
        [(SHEET, "    lato:\n      regular: fonts/Lato-Regular.ttf\n"
                 "      bold: fonts/Lato-Black.ttf\n      italic: fonts/Lato-Italic.ttf\n"
                 "      bold_italic: fonts/Lato-BoldItalic.ttf\n",
          "    lato: fonts/Lato-Regular.ttf\n")],
        [f"{SHEET}:20:11: fonts.families.lato: expected a mapping of keys, got text "
         "('fonts/Lato-Regular.ttf')"]),
    "a role's unknown family, with a schema error": (
        [(SHEET, 'rgb: "#8E1B2E"', "rgb: red"), (SHEET, "roles: {title: lato,",
                                                 "roles: {title: lati,")],
        [f"{SHEET}:10:52: colours.brand.rgb: 'red' is not an RGB colour: use #RRGGBB",
         f"{SHEET}:35:18: fonts.roles.title: unknown font family 'lati' (did you mean "
         "'lato'?)"]),
    "a glyph missing from 'as of', which dated statements print": (
        [(EN, 'as_of: "as of {date}"', 'as_of: "as of ☃ {date}"')],
        [f"{EN}:21:8: as_of: the fonts lato-text bold, lato-text italic, lato-text regular "
         "have no glyph for '☃' (U+2603 SNOWMAN); replace the character or use a font that "
         "has it"]),
    "a glyph missing from the digits the brand sets": (
        [(SHEET, "name: Default\n", "name: Default\ndigits: myanmar\n")],
        [f"{SHEET}:5:9: digits: the fonts lato-text bold, lato-text italic, lato-text regular "
         "have no glyphs for '၀' (U+1040 MYANMAR DIGIT ZERO), '၁' (U+1041 MYANMAR DIGIT ONE), "
         "'၂' (U+1042 MYANMAR DIGIT TWO), '၃' (U+1043 MYANMAR DIGIT THREE), '၄' (U+1044 "
         "MYANMAR DIGIT FOUR), '၅' (U+1045 MYANMAR DIGIT FIVE), '၆' (U+1046 MYANMAR DIGIT "
         "SIX), '၇' (U+1047 MYANMAR DIGIT SEVEN), '၈' (U+1048 MYANMAR DIGIT EIGHT), '၉' "
         "(U+1049 MYANMAR DIGIT NINE); replace those characters or use a font that has "
         "them"]),
    "a glyph missing from a language's label": (
        [(MC, "language: en-GB\n", "language: en-GB\nlanguages: [en-GB, my]\n"),
         (SHEET, 'label: "', 'label: "☃')],
        [f"{SHEET}:82:12: languages.my.label: the fonts padauk bold, padauk italic, padauk "
         "regular have no glyph for '☃' (U+2603 SNOWMAN); replace the character or use a "
         "font that has it"]),
}


@pytest.mark.parametrize("case", sorted(SAID_ONCE))
def test_each_sheet_and_strings_error_is_said_once_where_it_is_set(built_full: Path, cli,
                                                                  case: str) -> None:
    """Found by review: a language repeated the sheet's errors (with a prefix, or at a key
    that does not exist), a font name made check exit 3, and texts of the strings file
    that dated statements, notes and list numbers print were blamed at each fact."""
    edits, expected = SAID_ONCE[case]
    for file, old, new, *nth in edits:
        path = built_full / file
        text = path.read_text(encoding="utf-8")
        at = -1
        for _ in range(nth[0] if nth else 1):
            at = text.index(old, at + 1)
        path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    before = pdfs(built_full)
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    said = [line.strip() for line in out.splitlines()  # errors, not "fix them first"
            if re.match(r"\s+\S+:\d+:\d+: ", line) and not line.endswith("fix them first")]
    assert said == expected
    code, out, err = cli("build", "--root", str(built_full))
    no_crash(code, out, err)
    assert pdfs(built_full) == before


def test_an_error_is_blamed_at_the_sheet_that_sets_the_value(built_full: Path, cli) -> None:
    """A sheet that extends another and sets one colour was blamed for its parent's bad
    colour (any key of the same mapping made it the owner)."""
    (built_full / "styles/child.yaml").write_text(
        'extends: default\ncolours:\n  accent: {cmyk: [0, 0.29, 0.88, 0.11], rgb: "#E3A11B"}\n',
        encoding="utf-8")
    edit(built_full / SHEET, 'rgb: "#8E1B2E"', "rgb: red")
    edit(built_full / "briefings/russia-military-ties.yaml", "brand: default", "brand: child")
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert f"  {SHEET}:10:52: colours.brand.rgb: 'red' is not an RGB colour: use #RRGGBB" \
        in out.splitlines()
    assert "styles/child.yaml:" not in out.replace("(styles/child.yaml)", "")


@pytest.mark.parametrize("table", ["glyf", "loca", "hmtx"])
def test_a_font_whose_letters_draw_nothing_is_damaged(built_full: Path, cli,
                                                      table: str) -> None:
    """A zeroed 'glyf', 'loca' or 'hmtx' table leaves well-formed glyphs with no outline or
    no width: check passed, and the PDF printed invisible text (found by review)."""
    font = built_full / "styles/fonts/Lato-Italic.ttf"
    data = bytearray(font.read_bytes())
    count = int.from_bytes(data[4:6], "big")
    for n in range(count):
        entry = data[12 + 16 * n:28 + 16 * n]
        if entry[:4] == table.encode():
            offset, length = int.from_bytes(entry[8:12], "big"), int.from_bytes(entry[12:16],
                                                                                "big")
            data[offset:offset + length] = bytes(length)
    font.write_bytes(bytes(data))
    before = pdfs(built_full)
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert "styles/default.yaml:23:15: fonts.families.lato.italic: 'fonts/Lato-Italic.ttf': " \
           "this font file is damaged (its letters have no outlines or no widths: text set " \
           "in it would not show): replace it with a good copy" in out
    code, out, err = cli("build", "--root", str(built_full), "--force")
    no_crash(code, out, err)
    assert pdfs(built_full) == before


def test_a_truncated_font_is_a_located_error(built_full: Path, cli) -> None:
    font = built_full / "styles/fonts/Lato-Italic.ttf"
    font.write_bytes(font.read_bytes()[:100_000])
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert "styles/default.yaml:23:15: fonts.families.lato.italic: 'fonts/Lato-Italic.ttf': " \
           "the font file is damaged or truncated; copy it again from its source" in out
    code, out, err = cli("build", "--root", str(built_full), "--force")
    no_crash(code, out, err)
    assert "brand: brand sheet 'default' has errors (styles/default.yaml); fix them first" in err


def test_a_font_that_is_not_truetype_is_refused(built_full: Path, cli) -> None:
    (built_full / "styles/fonts/Lato-Italic.ttf").write_bytes(b"OTTO" + b"\0" * 64)
    code, out, err = cli("check", "--root", str(built_full))
    no_crash(code, out, err)
    assert "an OpenType font with CFF outlines; briefgen embeds TrueType (.ttf) fonts only" \
           in out


# ---------------------------------------------------------------------- state on disk
def test_a_manifest_entry_edited_by_hand_is_judged_by_its_inputs(built_full: Path,
                                                                   cli) -> None:
    """The manifest keeps the digest of each entry's inputs, so a build need not work it out
    again for every briefing; it is believed only while the summary written after the
    manifest vouches for its bytes. Inputs edited by hand, digest left as it was: the
    briefing is rebuilt all the same."""
    manifest = built_full / "dist/.briefgen/manifest.json"
    data = json.loads(manifest.read_text())
    entry = data["briefings"]["screen:military-cooperation"]
    assert isinstance(entry["digest"], str)
    entry["deps"] = {**entry["deps"], "spec:military-cooperation": "0" * 16}
    manifest.write_text(json.dumps(data))
    other = built_full / "briefings/defector-asylum.yaml"  # a comment: no input changes, but
    other.write_text(other.read_text(encoding="utf-8") + "# note\n", encoding="utf-8")
    # the project's files did, so each briefing is compared with its manifest entry
    code, out, err = cli("build", "--root", str(built_full), "--format", "pdf")
    assert code == 0, out + err
    assert "built military-cooperation" in out and "built 1, unchanged 3" in out
    code, out, _ = cli("build", "--root", str(built_full), "--format", "pdf")
    assert code == 0 and "built 0, unchanged 4" in out


def test_a_tampered_manifest_cannot_touch_files_outside_dist(built_full: Path, tmp_path: Path,
                                                             cli) -> None:
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"%PDF keep me")
    inside = built_full / "briefings/keep.pdf"
    inside.write_bytes(b"%PDF keep me too")
    manifest = built_full / "dist/.briefgen/manifest.json"
    data = json.loads(manifest.read_text())
    entry = next(iter(data["briefings"].values()))
    deps, out = entry["deps"], entry["out"]  # what the build wrote: [SHA-256, size, mtime_ns]
    for key in (f"screen:{victim.with_suffix('')}", "screen:../briefings/keep",
                "screen:../../victim", "print:/etc/passwd"):
        data["briefings"][key] = {"deps": deps, "out": out, "output": str(victim)}
    data["briefings"]["screen:ghost"] = {"deps": deps, "out": out, "output": str(victim)}
    manifest.write_text(json.dumps(data))
    (built_full / "dist/ghost.pdf").write_bytes(b"%PDF of a deleted spec")
    code, out, err = cli("build", "--root", str(built_full))
    assert code == 0, out + err
    assert victim.read_bytes() == b"%PDF keep me" and inside.is_file()
    assert not (built_full / "dist/ghost.pdf").exists()  # worked out from the id, in dist/
    assert "ignored 4 entries of dist/.briefgen/manifest.json that were not understood" in out
    assert "removed 1" in out


def test_output_files_keep_the_umask(full: Path) -> None:
    import shutil

    for umask, mode in ((0o022, 0o644), (0o027, 0o640)):
        shutil.rmtree(full / "dist")
        subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--root", str(full),
                        "--force", "--jobs", "1"], check=True, capture_output=True,
                       preexec_fn=lambda u=umask: os.umask(u))
        for name in ("dist/military-cooperation.pdf", "dist/.briefgen/manifest.json",
                     "dist/.briefgen/fonts.json"):
            assert (full / name).stat().st_mode & 0o777 == mode, (name, oct(umask))


def test_stray_temporary_files_of_a_killed_build_are_removed(built_full: Path) -> None:
    dist = built_full / "dist"
    strays = [dist / ".military-cooperation.pdf.k3j_x9a2.tmp",
              dist / ".briefgen/.manifest.json.abcd1234.tmp"]
    for path in strays:
        path.write_bytes(b"half a file")
    mine = dist / "notes.tmp"
    mine.write_text("the user's own file")
    briefgen.build_project(built_full)
    assert not any(p.exists() for p in strays) and mine.is_file()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_parallel_build_leaves_no_worker_and_no_lock(full: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "briefgen.cli", "build", "--root", str(full),
                             "--force", "--jobs", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "the build never started its workers"
    time.sleep(0.3)  # let it take the lock and start rendering
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived the killed build"
    with build_lock(full / "dist/.briefgen", wait=0.5):
        pass  # nobody holds the lock
    result = briefgen.build_project(full)
    assert result.ok and not list((full / "dist").glob(".*.tmp"))


# ---------------------------------------------------------------------- file system faults
def test_dist_being_a_file_is_a_clear_error(full: Path, cli) -> None:
    (full / "dist").rmdir()
    (full / "dist").write_text("not a folder")
    code, out, err = cli("build", "--root", str(full))
    no_crash(code, out, err)
    assert "cannot write" in err and "dist/.briefgen" in err
    assert "a file is in the way where a folder should be; move that file aside" in err


@pytest.mark.parametrize("fault, message", [
    (errno.ENOSPC, "the disk is full; free some space and run it again"),
    (errno.EROFS, "the disk or folder is read-only"),
    (errno.EACCES, "permission denied; make the folder writable"),
])
def test_a_failed_write_fails_that_briefing_and_says_why(built_full: Path, cli, monkeypatch,
                                                         fault: int, message: str) -> None:
    import briefgen.files as files

    before = pdfs(built_full)
    edit(built_full / "briefings/facts/countries/belarus.yaml", "air defence", "air-defence")
    real = files.tempfile.mkstemp

    def refuse(*args, **kwargs):
        if str(kwargs.get("dir", "")).endswith("dist"):
            raise OSError(fault, os.strerror(fault))
        return real(*args, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    code, out, err = cli("build", "--root", str(built_full), "--jobs", "1")
    no_crash(code, out, err)
    assert f"dist/military-cooperation.pdf: cannot write: {message}" in err
    assert pdfs(built_full) == before


def test_pack_into_a_folder_is_a_usage_error(built_full: Path, cli) -> None:
    code, _out, err = cli("pack", "--root", str(built_full), "-o", str(built_full / "dist"))
    assert code == 2
    assert "that is a folder; name the PDF file to write" in err


@pytest.mark.parametrize("name", ["manifest-summary.json", "manifest.json", "site.json",
                                  "index.json"])
def test_state_files_nested_too_deeply_are_damaged_not_a_crash(built_full: Path, cli,
                                                               name: str) -> None:
    """'[' x 200,000 in a file of dist/.briefgen/ ended in RecursionError, exit 3 (found by
    review): it is a damaged file like any other, and the build goes on without it."""
    assert cli("build", "--root", str(built_full))[0] == 0
    before = pdfs(built_full)
    (built_full / "dist/.briefgen" / name).write_text("[" * 200_000 + "]" * 200_000)
    code, out, err = cli("build", "--root", str(built_full))
    assert code == 0, (out, err)
    assert pdfs(built_full) == before
