"""Issue 21, MEDIUM and LOW: names, scores, tables and API calls a red-team run broke reporter with.

Each input either builds or is refused with one line and exit status 2, and
`inspect` refuses exactly what `build` refuses (both call input/validate.py).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

import reporter
from reporter.input.checks.limits import MAX_NAME_LENGTH
from reporter.errors import InputError, OutputError, ReporterError, UsageError, cli_words
from reporter.input.inspect import inspect
from reporter.options import Options


def table(names, n_layers=4, n_heads=3) -> pd.DataFrame:
    """Every head of an n_layers x n_heads model in one of ``names``, in turn."""
    rows = [(layer, head, names[(layer * n_heads + head) % len(names)]) for layer in range(n_layers) for head in range(n_heads)]
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


def refused_alike(frame: pd.DataFrame, message: str, **options) -> None:
    """build raises ``message`` (one line) and inspect reports that very problem (both in the CLI's words)."""
    with pytest.raises(ReporterError) as raised, cli_words():
        reporter.build(frame, formats=(), **options)
    assert str(raised.value) == message and "\n" not in message
    found = inspect(frame, Options.from_kwargs(**options))
    assert not found.ok and found.problems[-1] == message


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# -- names -------------------------------------------------------------------------------------------

REFUSED = [
    ("A\x00x", "a control character (U+0000) at character 2"),
    ("A\x0bx", "a control character (U+000B) at character 2"),
    ("\x1b[31mred", "a control character (U+001B) at character 1"),
    ("back\x08", "a control character (U+0008) at character 5"),
    ("tab\there", "a control character (U+0009) at character 4"),
    ("two\nlines", "a control character (U+000A) at character 4"),
    ("cr\rhere", "a control character (U+000D) at character 3"),
    ("line\u2028sep", "a line separator (U+2028) at character 5"),
    ("para\u2029sep", "a paragraph separator (U+2029) at character 5"),
    ("non\ufffe", "a noncharacter (U+FFFE) at character 4"),
    ("non\ufdd0", "a noncharacter (U+FDD0) at character 4"),
    # Would print every observation quoting it backwards ("sdaeh 11 sti fo 11"), in pages and figures.
    ("\u202eInduction", "a bidirectional control (U+202E) at character 1"),
    ("x\u2067y", "a bidirectional control (U+2067) at character 2"),
]


@pytest.mark.parametrize("name, what", REFUSED)
def test_names_vega_cannot_draw_are_refused_by_build_and_inspect(name, what):
    message = (f"category name {name!r} holds {what}; names must be printable text, so remove it from the table")
    refused_alike(table([name, "B"]), message)


def test_control_character_in_a_file_exits_2_with_one_line(cli, tmp_path):
    path = tmp_path / "t.parquet"
    table(["A\x00x", "B"]).to_parquet(path)
    out = tmp_path / "site"
    message = ("category name 'A\\x00x' holds a control character (U+0000) at character 2; names must be printable "
               "text, so remove it from the table")
    built = cli("build", str(path), "-o", str(out))
    assert (built.returncode, built.stderr) == (2, f"reporter: error: {message}\n")
    assert files_under(tmp_path) == ["t.parquet"]  # no site, no staging folder
    inspected = cli("inspect", str(path))
    assert inspected.returncode == 2 and inspected.stdout.splitlines()[-1] == f"problem: {message}"


PROTOTYPE = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "isPrototypeOf"]
BACKSLASHES = ['back\\"slash', "ends\\", "q'\\'", '"quoted"']


def test_object_prototype_names_and_backslashes_draw_in_every_figure():
    names = PROTOTYPE + BACKSLASHES
    report = reporter.build(table(names, n_layers=8, n_heads=4), formats="svg", kv_heads=2)
    assert report.table.categories == tuple(names)  # the table's order (first appearance)
    from reporter.output.write import exported_files

    drawn = {rel: data for rel, data in exported_files(report.figures, ("svg",)) if rel.endswith(".svg")}
    assert sorted(drawn) == ["heatmaps.svg", "kv-groups.svg", "layer-profile.svg", "overlap.svg"]
    for rel in ("heatmaps.svg", "overlap.svg"):
        texts = {"".join(e.itertext()).strip() for e in ET.fromstring(drawn[rel]).iter() if e.tag.endswith("text")}
        assert set(names) <= texts, rel


def test_object_prototype_model_names_draw_in_the_overview(tmp_path):
    site = reporter.build_site([table(["A", "B"]).assign(model=model) for model in ("constructor", 'm\\"x')],
                               formats="svg")
    site.save(tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site").iterdir() if p.is_dir()) == ["constructor", "data", "figures", "m-x"]
    svg = (tmp_path / "site" / "figures" / "model-heatmaps.svg").read_text(encoding="utf-8")
    assert '<tspan>constructor</tspan><tspan x="0" dy="15">4×3</tspan>' in svg
    assert '<tspan>m\\"x</tspan><tspan x="0" dy="15">4×3</tspan>' in svg


def test_names_enter_expressions_only_as_safe_literals():
    from reporter.charts.interaction import picked
    from reporter.charts.vega_safe import literal

    assert literal('a\\"b\u2028') == '"a\\\\\\"b\\u2028"'
    assert picked("category") == "highlight === '' || datum[\"category\"] === highlight"


def test_long_names_are_cut_before_layout():
    name = "n" * 256
    report = reporter.build(table([name, "B"]), formats=())
    heatmaps = report.figures["heatmaps"].spec
    assert heatmaps["concat"][1]["title"] == "n" * 127 + "…"  # the long name's panel is first, as in the table
    legend = heatmaps["concat"][0]["layer"][1]["encoding"]["color"]["legend"]
    assert legend["labelExpr"] == "truncate(datum.label, 128)"
    assert report.table.categories[0] == name  # in full everywhere else


# -- scores ------------------------------------------------------------------------------------------

def test_infinite_scores_exit_2_with_the_default_formats(cli, tmp_path):
    path = tmp_path / "t.csv"
    table(["A", "B"]).assign(score=[float("inf")] + [0.5] * 11).to_csv(path, index=False)
    message = "column 'score' holds inf (row 0, 1 rows in all); scores must be finite numbers, so fix or drop those rows"
    for args in (["-o", str(tmp_path / "site")], ["--single-file", str(tmp_path / "page.html")]):
        built = cli("build", str(path), *args)
        assert (built.returncode, built.stderr) == (2, f"reporter: error: {message}\n")
    assert files_under(tmp_path) == ["t.csv"]
    inspected = cli("inspect", str(path))
    assert inspected.returncode == 2 and inspected.stdout.splitlines()[-1] == f"problem: {message}"


def test_negative_infinity_in_a_scores_table_is_refused():
    frame = table(["r1", "r2"]).rename(columns={"category": "relation"}).assign(
        category="A", score=[0.1, float("-inf")] * 6)
    refused_alike(frame, "column 'score' holds -inf (row 1, 6 rows in all); scores must be finite numbers, "
                         "so fix or drop those rows", top_k=2)


# -- inspect runs build's checks -----------------------------------------------------------------------

AGREEMENT = {
    "65 categories": (table([f"c{i:02d}" for i in range(65)], n_layers=10, n_heads=7),
                      "the table has 65 categories, more than the 64 a report can show; merge categories or pick "
                      "some with --categories (see docs/limits.md)"),
    "layer 10**9": (pd.DataFrame({"layer": [0, 10**9], "head": [0, 0], "category": ["A", "A"]}),
                    "the model shape has 1,000,000,001 layers, more than the 4,096 reporter handles; check the "
                    "layer column or --layers (indexes are 0-based) (see docs/limits.md)"),
    "long name": (table(["x" * 257, "B"]),
                  f"a category name is 257 characters long, more than 256; shorten it ('{'x' * 60}…', see docs/limits.md)"),
    "two columns of one name": (pd.DataFrame([[0, 0, "A", "B"]], columns=["layer", "head", "category", "Category"]),
                                "the table has two columns named 'category'; rename or drop one"),
    "too many columns": (pd.DataFrame({"layer": [0], "head": [0], **{f"is_c{i}": [True] for i in range(5000)}}),
                         "the table has 5,002 columns, more than the 256 reporter reads; keep layer, head and the "
                         "category columns (see docs/limits.md)"),
    "bytes that are not UTF-8": (pd.DataFrame({"layer": [0], "head": [0], "category": [b"\xffA"]}),
                                 "column 'category' holds bytes that are not UTF-8 text (invalid start byte); write it as text"),
}


@pytest.mark.parametrize("case", sorted(AGREEMENT))
def test_inspect_refuses_what_build_refuses(case):
    frame, message = AGREEMENT[case]
    refused_alike(frame, message)


def test_a_wide_file_is_refused_from_its_header(tmp_path):
    frame = pd.DataFrame({"layer": [0], "head": [0], **{f"is_c{i}": [True] for i in range(300)}})
    for path in (tmp_path / "w.parquet", tmp_path / "w.csv"):
        frame.to_parquet(path) if path.suffix == ".parquet" else frame.to_csv(path, index=False)
        with pytest.raises(InputError, match=r"^the table has 302 columns, more than the 256 reporter reads"):
            reporter.build(path, formats=())
        assert inspect(path, Options()).problems == [
            "the table has 302 columns, more than the 256 reporter reads; keep layer, head and the category columns "
            "(see docs/limits.md)"]


def test_feather_with_duplicate_columns_and_binary_parquet(tmp_path):
    dup = tmp_path / "dup.feather"
    feather.write_feather(pa.table([[0], [0], ["A"], ["B"]], names=["layer", "head", "category", "category"]), dup)
    with pytest.raises(InputError, match=r"^the table has two columns named 'category'; rename or drop one$"):
        reporter.build(dup, formats=())
    binary = tmp_path / "binary.parquet"
    pq.write_table(pa.table({"layer": [0, 1], "head": [0, 0], "category": pa.array([b"ok", b"\xc3("], pa.binary())}), binary)
    with pytest.raises(InputError, match=r"^column 'category' holds bytes that are not UTF-8 text \(invalid continuation byte\)"):
        reporter.build(binary, formats=())
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"layer": [0, 1], "head": [0, 0], "category": pa.array([b"A", b"B\xc3\xa9"], pa.binary())}), good)
    assert reporter.build(good, formats=()).table.categories == ("A", "Bé")


# -- API calls -----------------------------------------------------------------------------------------

SMALL = table(["A", "B"])
OBJECTS = ("; give a path, a pandas, polars or pyarrow table, a [layers, heads] array (numpy, or anything with "
           "__array__), a dict {head_id: value}, {category: [head ids]}, {category: array} or {layer: [head indices, "
           "best first]}, or a list of head ids or of layers {head: value}")
API_CALLS = {
    "build(123)": (lambda: reporter.build(123), InputError, "cannot read a builtins.int" + OBJECTS),
    "build(None)": (lambda: reporter.build(None), InputError, "cannot read a builtins.NoneType" + OBJECTS),
    'layers="8"': (lambda: reporter.build(SMALL, layers="8", heads="8"), UsageError,
                   "option 'layers' must be a whole number, got str '8'"),
    "layers=8.5": (lambda: reporter.build(SMALL, layers=8.5, heads=8), UsageError,
                   "option 'layers' must be a whole number, got float 8.5"),
    "layers=True": (lambda: reporter.build(SMALL, layers=True, heads=8), UsageError,
                    "option 'layers' must be a whole number, got bool True"),
    "categories=5": (lambda: reporter.build(SMALL, categories=5), UsageError,
                     "option 'categories' must be a list of text, got int 5"),
    'threshold="x"': (lambda: reporter.build(SMALL, threshold="x"), UsageError,
                      "option 'threshold' must be a number, got str 'x'"),
    "model=5": (lambda: reporter.build(SMALL, model=5), UsageError, "option 'model' must be text, got int 5"),
    "lone surrogate title": (lambda: reporter.build(SMALL, title="t\ud800"), UsageError,
                             "option 'title' holds a lone surrogate ('t\\ud800'), which no page can hold; fix that text"),
    "lone surrogate path": (lambda: reporter.build("t\ud800.csv"), InputError,
                            "t\\ud800.csv: not a file name this system can open; check the path"),
    "NUL in a path": (lambda: reporter.build("t\x00.csv"), InputError,
                      "t\\x00.csv: a path cannot hold a NUL character; check the path"),
    "list in a cell": (lambda: reporter.build(pd.DataFrame({"layer": [0], "head": [0], "category": [["A"]]})), InputError,
                       "column 'category' holds a value that is neither text nor a number (unhashable type: 'list'); "
                       "give one value per cell"),
    "build_site(path)": (lambda: reporter.build_site("t.csv"), InputError,  # one path is a list of one
                         "t.csv: no such file; check the path"),
    "save(123)": (lambda: reporter.build(SMALL, formats=()).save(123), OutputError,
                  "the place to write must be a path, not int"),
}


@pytest.mark.parametrize("call", sorted(API_CALLS))
def test_malformed_api_calls_raise_a_reporter_error(call):
    make, kind, message = API_CALLS[call]
    with pytest.raises(kind) as raised:
        make()
    assert str(raised.value) == message


# -- messages ----------------------------------------------------------------------------------------

def test_messages_are_one_line_and_capped(cli, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"lay\ner",head,category\n0,0,A\n')
    r = cli("build", str(path), "-o", str(tmp_path / "site"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "'lay\\ner'" in r.stderr
    huge = pd.DataFrame({"layer": ["x" * 10_000_000], "head": [0], "category": ["A"]})
    with pytest.raises(InputError) as raised:
        reporter.build(huge, formats=())
    text = str(raised.value)
    assert len(text) < 1_010 and text.startswith("column 'layer' holds 'xxx") and text.endswith(
        "not a whole number; layer indexes are 0-based integers")
    many = table([f"category number {i}" for i in range(60)], n_layers=10, n_heads=6)
    with pytest.raises(UsageError) as raised:
        reporter.build(many, categories="nope", formats=())
    assert str(raised.value) == ("categories= names 'nope', which the table does not have (it has: "
                                 + ", ".join(f"category number {i}" for i in (0, 1, 10, 11, 12, 13, 14, 15, 16, 17))
                                 + " and 50 more)")


def test_sigterm_says_what_was_left(capsys):
    from reporter.cli import terminated

    with pytest.raises(SystemExit) as exited:
        terminated(15, None)
    assert exited.value.code == 143
    assert capsys.readouterr().err == "reporter: terminated; the output folder was left as it was\n"


# -- files -------------------------------------------------------------------------------------------

def test_csv_cells_are_neutralized():
    names = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "Plain"]
    report = reporter.build(table(names, n_layers=2), formats=())
    lines = report.documents()["data/heads.csv"].decode().splitlines()
    assert lines[:7] == [
        "layer,head,categories,n_categories,label",
        "0,0,\"'=HYPERLINK(\"\"http://x\"\")\",1,\"'=HYPERLINK(\"\"http://x\"\")\"",
        "0,1,'+1+1,1,'+1+1",
        "0,2,'-2+3,1,'-2+3",
        "1,0,'@SUM(A1),1,'@SUM(A1)",
        "1,1,Plain,1,Plain",
        "1,2,\"'=HYPERLINK(\"\"http://x\"\")\",1,\"'=HYPERLINK(\"\"http://x\"\")\"",
    ]
    from reporter.output.csv_text import neutralized

    assert neutralized(pd.Series(["\tx", "\rx", "a=b"])).tolist() == ["'\tx", "'\rx", "a=b"]
    diff = reporter.build_diff(table(["=A", "B"]), table(["B", "=A"]), formats=())
    assert diff.documents()["data/changes.csv"].decode().splitlines()[1] == "0,0,'=A,lost"


def test_a_model_name_of_the_longest_length_builds_a_site(tmp_path):
    name = ("model-" * 50)[:MAX_NAME_LENGTH]  # longer ones are refused (tests/test_limits.py)
    site = reporter.build_site([table(["A"]).assign(model=name), table(["A"]).assign(model="con")], formats=())
    out = site.save(tmp_path / "site")
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert [len(f) for f in folders if f.startswith("model")] == [40 + 1 + 8]
    assert any(f.startswith("con-") and len(f) == 12 for f in folders)  # con is reserved on Windows


def test_json_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'\xef\xbb\xbf[{"layer": 0, "head": 1, "category": "A"}]')
    assert reporter.build(path, formats=()).table.n_heads == 2


def test_a_mount_point_inside_the_site_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "site"
    reporter.build(SMALL, formats=()).save(out)
    (out / "mnt").mkdir()
    (out / "mnt" / "data.bin").write_bytes(b"theirs")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: str(p) == str(out / "mnt") or real(p))
    with pytest.raises(OutputError, match=r"mnt is a mount point inside the output folder; reporter would have to move it"):
        reporter.build(SMALL, formats=()).save(out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert files_under(tmp_path) == files_under(tmp_path)[:0] + sorted(["site", *(f"site/{f}" for f in files_under(out))])


# -- the page's Content-Security-Policy ------------------------------------------------------------

def test_csp_allows_only_the_pages_own_scripts(tmp_path, visit):
    from bs4 import BeautifulSoup

    from reporter.pages.csp import digest

    out = tmp_path / "site"
    reporter.build(table(PROTOTYPE + BACKSLASHES, n_layers=8, n_heads=4), formats=()).save(out)
    html = (out / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    scripts = [s.string for s in soup.find_all("script") if s.get("type") != "application/json"]
    sources = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert sources == "script-src " + " ".join(f"'sha256-{digest(s)}'" for s in scripts) and len(scripts) == 2
    v = visit(out.joinpath("index.html").as_uri())
    states = v.wait_rendered()
    assert [s[0] for s in states][:2] == ["heatmaps", "layer-profile"] and all(s[1] == "true" for s in states)
    # Markup that slipped past escaping would run under 'unsafe-inline'; with hashes it does not.
    v.page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.ranHandler = 1">');
        const s = document.createElement('script'); s.textContent = 'window.ranScript = 1'; document.body.append(s);
    }""")
    v.page.wait_for_function("document.querySelector('img[onerror]').complete")
    assert v.page.evaluate("[window.ranHandler, window.ranScript]") == [None, None]
    assert [e for e in v.errors if "Content Security Policy" not in e] == []


def test_the_upset_panel_draws_the_40_largest_combinations():
    from reporter.charts.overlap import overlap

    names = [f"c{i:02d}" for i in range(12)]
    rows = [(layer, head, names[j]) for layer in range(16) for head in range(16)
            for j in range(12) if (layer * 16 + head) >> j & 1 or j == (layer + head) % 12]
    report = reporter.build(pd.DataFrame(rows, columns=["layer", "head", "category"]), formats=())
    assert len(report.stats.intersections) > 100
    figure = overlap(report.stats)
    assert [r["heads"] for r in figure.datasets["intersections"]] == [i.heads for i in report.stats.intersections[:40]]
    assert len(figure.datasets["intersection_members"]) == 40 * 12
    assert figure.alt_text.endswith(f"and {len(report.stats.intersections) - 5} more.")
