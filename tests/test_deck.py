"""The deck: native charts carry the figures' own numbers, order and colours; notes quote the data; LibreOffice opens
it (one conversion per session) and its pages are rendered to test-artifacts/deck/ to look at."""

import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.dml import MSO_FILL
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from dashboard import deck, export
from dashboard.transforms import sources as sx
from dashboard.views import briefing

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "deck"
NATIVE = {"loans-deals-offers", "dushanbe-funding", "debt-to-china", "entity-list-growth", "cameras-china-us",
          "hikvision-ownership-share"}
PICTURES = {"central-asia-map", "sanctions-timeline"}


@pytest.fixture(scope="module")
def deck_file(tmp_path_factory):
    assert Path("/usr/bin/chromium").exists(), "the deck's pictures need Chromium: `apt-get install chromium`"
    out = tmp_path_factory.mktemp("deck") / "briefing.pptx"
    proc = subprocess.run([sys.executable, "-m", "dashboard.deck", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def prs(deck_file):
    return Presentation(str(deck_file))


@pytest.fixture(scope="module")
def views(dataset):
    return briefing.slides(dataset, True)


def _frame(slide, kind):
    return [s for s in slide.shapes if s.shape_type == kind]


def _fill(fmt) -> str | None:
    return str(fmt.fill.fore_color.rgb) if fmt.fill.type == MSO_FILL.SOLID else None


def _alt(shape) -> str:
    return shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr") or ""


def test_deck_is_16_9_with_title_charts_in_order_and_sources(prs, views, dataset):
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    slides = list(prs.slides)
    assert len(slides) == 1 + len(views) + 1
    first = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert dataset.descriptor["created"][:10] in first and "briefing deck" in first
    for slide, v in zip(slides[1:-1], views, strict=True):
        assert slide.shapes.title.text == v.title  # the finding as the title
    closing = " ".join(s.text_frame.text for s in slides[-1].shapes if s.has_text_frame)
    for title in dataset["sources"]["title"]:
        assert title in closing


def test_every_chart_slide_has_its_source_line_and_link(prs, views):
    for i, (slide, v) in enumerate(zip(list(prs.slides)[1:-1], views, strict=True), start=1):
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert f"Source: {v.source}" in text
        assert f"View: {export.briefing_link(i, v)}" in text


def test_bar_and_step_charts_are_native_with_the_figures_numbers_and_colours(prs, views):
    for slide, v in zip(list(prs.slides)[1:-1], views, strict=True):
        charts = [s for s in slide.shapes if s.has_chart]
        if v.slug in PICTURES:
            assert not charts
            continue
        assert v.slug in NATIVE and len(charts) == 1, v.slug
        chart = charts[0].chart
        traces = {t.name: t for t in v.figure.data}
        if chart.chart_type in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED):
            bars = [t for t in v.figure.data if t.type == "bar"]
            assert [s.name for s in chart.plots[0].series] == [t.name for t in bars]
            cats = list(chart.plots[0].categories)
            assert chart.category_axis.reverse_order  # first category on top, as on screen
            for s in chart.plots[0].series:
                t = traces[s.name]
                # the same numbers, top to bottom as the figure draws them (higher y is higher on screen)
                order = sorted(range(len(t.y)), key=lambda i: -t.y[i] if not isinstance(t.y[i], str) else 0)
                if isinstance(t.y[0], str):
                    order = sorted(range(len(t.y)), key=lambda i: cats.index(next(c for c in cats if
                                                                                  c.startswith(t.y[i][:20]))))
                assert [x for x in s.values if x is not None] == [float(t.x[i]) for i in order]
                # each bar's colour (its own, else its series'), from the trace's marker colour(s)
                want = [t.marker.color if isinstance(t.marker.color, str) else t.marker.color[i] for i in order]
                got = [_fill(s.points[i].format) or _fill(s.format) for i, x in enumerate(s.values) if x is not None]
                assert got == [c.lstrip("#").upper() for c in want]
        else:
            assert chart._chartSpace.xpath(".//c:scatterChart"), v.slug  # a native XY chart (dates on x)
            shown = [t for t in v.figure.data if t.x is not None and any(x is not None for x in t.x)]
            assert [s.name for s in chart.plots[0].series] == [t.name for t in shown]
            for s, t in zip(chart.plots[0].series, shown, strict=True):
                assert list(s.values) == [float(y) for y in t.y]
                xs = s._element.xpath("./c:xVal//c:v")
                assert [float(x.text) for x in xs] == [deck.serial(pd.Timestamp(x)) for x in t.x]
        assert _alt(charts[0]) == v.alt


def test_financing_rows_keep_their_labels_and_gaps(prs, views, dataset):
    i = [v.slug for v in views].index("loans-deals-offers")
    chart = [s for s in list(prs.slides)[1 + i].shapes if s.has_chart][0].chart
    cats = list(chart.plots[0].categories)
    fin = dataset["financing"]
    assert len(cats) == len(views[i].evidence) == len(fin)  # one row per record, as on screen
    assert cats[0].startswith("Kyrgyzstan · ")
    # a record the documents give no amount for keeps its row, saying so, with no bar
    assert sum("amount not given" in c for c in cats) == fin["amount_usd"].isna().sum() > 0


def test_map_and_timeline_are_1920x1080_pictures_with_alt_text(prs, views):
    for slide, v in zip(list(prs.slides)[1:-1], views, strict=True):
        if v.slug not in PICTURES:
            continue
        pics = _frame(slide, MSO_SHAPE_TYPE.PICTURE)
        assert len(pics) == 1
        assert Image.open(BytesIO(pics[0].image.blob)).size == (1920, 1080)
        assert _alt(pics[0]) == v.alt
        assert pics[0].width / pics[0].height == pytest.approx(16 / 9, rel=0.01)


QUOTE = re.compile(r"“(.*?)”(?= — |$)", re.M)


def test_notes_quote_every_record_verbatim_from_the_data(prs, views, dataset):
    data_quotes = set()
    for table in sx.PRIMARY_KEYS:
        if "quote" in dataset[table]:
            data_quotes |= set(dataset[table]["quote"].dropna())
    for slide, v in zip(list(prs.slides)[1:-1], views, strict=True):
        notes = slide.notes_slide.notes_text_frame.text
        for r in v.evidence.to_dict("records"):
            assert f"“{r['quote']}”" in notes and r["locator"] in notes, (v.slug, r["row_id"])
        quoted = QUOTE.findall(notes)
        assert len(quoted) >= len(v.evidence)
        assert set(quoted) <= data_quotes  # nothing in the notes is paraphrased or invented


def test_notes_give_both_sides_of_a_disagreement(prs, views, dataset):
    i = [v.slug for v in views].index("dushanbe-funding")
    notes = list(prs.slides)[1 + i].notes_slide.notes_text_frame.text
    assert "Disagreement dushanbe-lender" in notes
    sides = sx.conflict_rows(dataset, "dushanbe-lender")
    assert len(sides) >= 2
    for q in sides["quote"]:
        assert f"“{q}”" in notes


def test_notes_name_the_record_figure(prs, views):
    i = [v.slug for v in views].index("debt-to-china")
    notes = list(prs.slides)[1 + i].notes_slide.notes_text_frame.text
    assert "TJK: about 50% of public debt" in notes


# --- LibreOffice: one conversion per session ---

@pytest.fixture(scope="module")
def deck_pdf(deck_file, tmp_path_factory):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice Impress is needed to check the deck opens: `apt-get install libreoffice-impress`"
    out = tmp_path_factory.mktemp("deckpdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    proc = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                           "--convert-to", "pdf", "--outdir", str(out), str(deck_file)],
                          capture_output=True, text=True, timeout=300)
    pdf = out / "briefing.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr[-2000:]
    return pdf


def test_libreoffice_opens_the_deck_and_renders_every_slide(deck_pdf, prs):
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) renders the pages: `apt-get install poppler-utils`"
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    shutil.copy2(deck_pdf, ARTIFACTS / "briefing.pdf")
    subprocess.run(["pdftoppm", "-r", "48", "-png", str(deck_pdf), str(ARTIFACTS / "slide")], check=True,
                   timeout=300)
    pages = sorted(ARTIFACTS.glob("slide-*.png"))
    assert len(pages) == len(prs.slides)
    for page in pages:
        im = Image.open(page).convert("L")
        assert im.size[0] / im.size[1] == pytest.approx(16 / 9, rel=0.02)
        lo, hi = im.getextrema()
        assert hi - lo > 100, f"{page.name} is blank"  # something was drawn


# --- bad input: a plain message, no traceback, no half-written file ---

@pytest.mark.parametrize("module", ["deck", "offline"])
def test_bad_data_exits_with_the_loader_message_and_writes_nothing(module, data_copy, tmp_path, monkeypatch, capsys):
    import importlib

    from dashboard import data

    (data_copy / "debt.csv").write_text("debt_id\nx\n", encoding="utf-8")
    monkeypatch.setattr(data, "DATA_DIR", data_copy)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"briefing.{'pptx' if module == 'deck' else 'html'}"
    code = importlib.import_module(f"dashboard.{module}").main(["--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "debt.csv" in err and "Traceback" not in err
    assert not list(out.parent.iterdir())


HOSTILE = '</script><img src=x onerror="alert(1)"><b>bold</b> {{7*7}}'


def test_data_text_stays_text_in_the_offline_file_and_the_notes(data_copy, tmp_path):
    from dashboard import offline
    from dashboard.data import load

    fin = pd.read_csv(data_copy / "financing.csv", dtype=str, keep_default_na=False)
    fin.loc[0, "quote"] = fin.loc[0, "quote"] + " " + HOSTILE
    fin.loc[0, "purpose"] = HOSTILE
    fin.to_csv(data_copy / "financing.csv", index=False)
    ds = load(data_copy)
    views = briefing.slides(ds, True)
    page = offline.briefing_html(ds, views=views[1:3], links=["/briefing?step=2", "/briefing?step=3"])
    assert "<img src=x" not in page and "</script><img" not in page
    assert "&lt;/script&gt;&lt;img src=x" in page  # shown as text in the quotes
    notes = deck.notes_text(ds, views[1], "/briefing?step=2")
    assert HOSTILE in notes  # notes are plain text: kept verbatim, never interpreted
