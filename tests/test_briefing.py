"""Briefing view and briefing pack: steps in the URL, and a pack whose charts, data and citations cite themselves."""

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import export
from dashboard.safe import md
from dashboard.views import EVIDENCE_COLS, briefing

ROOT = Path(__file__).resolve().parent.parent


def test_every_slide_has_a_finding_a_source_and_evidence(dataset):
    slides = briefing.slides(dataset)
    assert len(slides) == len(briefing.SLIDES) >= 1
    assert len({s.slug for s in slides}) == len(slides)
    for s in slides:
        assert s.title and s.alt and s.source
        assert not s.evidence.empty
        assert set(EVIDENCE_COLS) <= set(s.evidence.columns)
        assert s.evidence["quote"].str.len().min() > 5


def test_citations_list_each_chart_and_its_quotes(dataset):
    slides = briefing.slides(dataset)
    text = export.citations_markdown(dataset, slides)
    for i, s in enumerate(slides, start=1):
        assert f"## {i}. {md(s.title)}" in text
    assert md("2,000 Huawei cameras already overlook Nur-Sultan.") in text  # escaped as on screen (test_outputs)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("image export needs Chromium: `apt-get install chromium`")
    out = tmp_path_factory.mktemp("pack")
    proc = subprocess.run([sys.executable, "-m", "dashboard.export", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, proc


def test_pack_has_every_chart_as_png_svg_pdf_at_slide_size(pack, dataset):
    out, proc = pack
    slides = briefing.slides(dataset, True)
    for i, (slug, _) in enumerate(briefing.SLIDES, start=1):
        png = (out / "charts" / f"{i:02d}-{slug}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (1920, 1080)
        svg = (out / "charts" / f"{i:02d}-{slug}.svg").read_text(encoding="utf-8")
        assert "Source:" in svg and "Data as of" in svg  # the image cites itself
        assert f"View: {export.briefing_link(i, slides[i - 1])}" in svg  # and says how to reopen it
        assert (out / "charts" / f"{i:02d}-{slug}.pdf").read_bytes()[:4] == b"%PDF"
    assert "100%" in proc.stderr  # the progress bar ran to the end


def test_pack_carries_the_data_package_and_citations(pack):
    out, _ = pack
    assert (out / "data" / "datapackage.json").exists()
    assert (out / "data" / "deployments.csv").read_text(encoding="utf-8").startswith("deployment_id,")
    assert "# Briefing pack: citations" in (out / "CITATIONS.md").read_text(encoding="utf-8")
    assert {f.name for f in (out / "citations").iterdir()} == {"CITATION.cff", "sources.bib", "sources.ris",
                                                                "sources.json"}
    assert (out / "briefing.pptx").read_bytes()[:2] == b"PK"  # the deck (tested in test_deck.py)
    assert "window.PlotlyGeoAssets" in (out / "briefing.html").read_text(encoding="utf-8")  # browser/test_offline


def test_export_with_bad_data_exits_non_zero_with_the_loader_message(data_copy, tmp_path, monkeypatch, capsys):
    (data_copy / "debt.csv").write_text("debt_id\nx\n", encoding="utf-8")
    monkeypatch.setattr(export, "DATA_DIR", data_copy)
    code = export.main(["--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "file debt.csv" in err and "missing" in err
    assert "Traceback" not in err


def test_export_rejects_unknown_formats(tmp_path):
    with pytest.raises(SystemExit):
        export.main(["--out", str(tmp_path), "--formats", "gif"])


def test_briefing_page_steps_and_keeps_the_step_in_the_url(open_page):
    at = open_page("briefing")
    assert len(at.get("plotly_chart")) == 1
    assert any("Chart 1 of" in m.value for m in at.markdown)
    if len(briefing.SLIDES) > 1:
        at.button[1].click().run()
        assert at.query_params.get("step") in ("2", ["2"])


def test_briefing_step_from_url_and_bad_step_is_ignored(open_page):
    total = len(briefing.SLIDES)
    at = open_page("briefing", query={"step": str(total)})
    assert any(f"Chart {total} of {total}" in m.value for m in at.markdown)
    at = open_page("briefing", query={"step": "99"})
    assert any("Chart 1 of" in m.value for m in at.markdown)
    assert any("Ignored" in c.value for c in at.caption)


def test_export_without_chromium_says_how_to_install_it(tmp_path):
    env = {**__import__("os").environ, "BROWSER_PATH": str(tmp_path / "no-such-chromium")}
    proc = subprocess.run([sys.executable, "-m", "dashboard.export", "--out", str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 3
    assert "apt-get install chromium" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_presentation_mode_shows_one_slide_with_keys_and_no_evidence_or_pack(open_page):
    total = len(briefing.SLIDES)
    at = open_page("briefing", query={"present": "1", "step": "3"})
    assert len(at.get("plotly_chart")) == 1
    assert any(m.value == f"**3 / {total}**" for m in at.markdown)
    assert not at.expander and not at.get("dataframe")  # the evidence table and the pack stay out of the slide
    assert not any(b.key == "make_pack" for b in at.button)
    keys = {b.key: b.proto.shortcut for b in at.button if b.key and b.key.startswith("slide_")}
    assert {keys["slide_next"], keys["slide_prev"]} == {"right", "left"}
    assert {keys[f"slide_{k}"] for k in ("PageDown", "Space", "PageUp", "Home", "End")} == {
        "pagedown", "space", "pageup", "home", "end"}
    at.button(key="slide_PageDown").click().run()
    assert at.query_params.get("step") in ("4", ["4"])
    at.button(key="slide_End").click().run()
    assert at.query_params.get("step") in (str(total), [str(total)])
    at.button(key="slide_Home").click().run()
    assert "step" not in at.query_params
    assert any(m.value == f"**1 / {total}**" for m in at.markdown)
