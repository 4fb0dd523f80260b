"""Briefing at scale: slides draw a readable number of bars while their titles and evidence cover every row, the
evidence table is paged, and the citations file matches the row-by-row version it replaced."""

import math

import pytest

from dashboard import briefing, data, export

FACTOR = 25


def _citations_before(ds, slides) -> str:
    """The row-by-row implementation citations_markdown replaced."""
    titles = dict(zip(ds["sources"]["source_id"], ds["sources"]["title"], strict=True))
    out = [f"# Briefing pack: citations\n\nData as of {briefing.as_of(ds)}. Every figure in these charts comes "
           "from the quotes below; the full tables are in `data/`.\n"]
    for i, s in enumerate(slides, start=1):
        out.append(f"\n## {i}. {s.title}\n\n{s.finding}\n\nSource line: {s.source}\n\nFile: `{i:02d}-{s.slug}.*`\n")
        for sid, grp in s.evidence.groupby("source_id", sort=False):
            out.append(f"\n**{titles.get(sid, sid)}** (`{sid}`)\n")
            for _, r in grp.drop_duplicates(subset=["quote"]).iterrows():
                out.append(f"- “{r['quote']}” — {r['locator']} ({r['table']}: {r['row_id']})")
    return "\n".join(out) + "\n"


def test_citations_match_the_row_by_row_version(dataset):
    slides = briefing.slides(dataset)
    assert export.citations_markdown(dataset, slides) == _citations_before(dataset, slides)


def test_real_data_slides_draw_every_row():
    assert briefing.first_rows(briefing.SLIDE_ROWS) is None
    assert briefing.first_rows(briefing.SLIDE_ROWS + 1) == (0, briefing.SLIDE_ROWS)


@pytest.fixture(scope="module")
def big_dir(synthetic):
    return synthetic(FACTOR)


@pytest.fixture(scope="module")
def big(big_dir):
    return data.load(big_dir)


def _rows_drawn(fig) -> int:
    """Rows the chart lays out (one y position each; a record without an amount has words, not a bar)."""
    return math.ceil(fig.layout.yaxis.range[1])


@pytest.mark.parametrize("slug", ["loans-deals-offers", "cameras-china-us"])
def test_bar_slides_draw_one_slide_of_bars_and_cite_every_row(big, dataset, slug):
    build = dict(briefing.SLIDES)[slug]
    small, s = build(dataset, present=True), build(big, present=True)
    assert _rows_drawn(small.figure) == len(small.evidence)  # 1x: every record, as before
    assert 0 < _rows_drawn(s.figure) <= briefing.SLIDE_ROWS
    assert len(s.evidence) == FACTOR * len(small.evidence)  # every row is still behind the chart
    subtitle = s.figure.layout.title.subtitle.text  # says which bars are drawn, of how many
    assert f"1–{briefing.SLIDE_ROWS}" in subtitle and f"{len(s.evidence):,}" in subtitle


def test_map_slide_groups_its_markers(big):
    s = dict(briefing.SLIDES)["central-asia-map"](big, present=True)
    markers = [t for t in s.figure.data if t.type == "scattergeo" and t.mode == "markers"]
    assert sum(len(t.lon) for t in markers) <= 250
    assert "records, grouped by place" in s.figure.layout.title.subtitle.text


@pytest.fixture
def open_big(open_page, big_dir, use_data):
    use_data(big_dir)
    return open_page


def test_evidence_table_is_paged_and_reaches_the_last_row(open_big, big):
    at = open_big("briefing")
    total = len(briefing.slide(big, 0, present=False).evidence)
    assert total > 500
    frames = at.dataframe
    assert len(frames) == 1 and len(frames[0].value) == 500
    last = -(-total // 500)
    at.number_input[0].set_value(last).run()
    assert len(at.dataframe[0].value) == total - 500 * (last - 1)
    assert any(f"of {total:,}" in c.value for c in at.caption)


def test_every_slide_stays_about_its_1x_size(big, dataset):
    # a slide is one image: at 25x data each draws a bounded view, never a mark per record
    for slug, build in briefing.SLIDES:
        small, s = build(dataset, present=True).figure.to_json(), build(big, present=True).figure.to_json()
        assert len(s) < 2 * len(small), slug


def test_timeline_slide_draws_its_first_actions_and_says_so(big):
    s = dict(briefing.SLIDES)["sanctions-timeline"](big, present=True)
    assert "actions 1–" in s.figure.layout.title.subtitle.text
    rows_drawn = {y for t in s.figure.data if t.type == "scatter" and t.y is not None for y in t.y} - {None}
    assert 0 < len(rows_drawn) <= briefing.SLIDE_ROWS
    assert s.evidence["row_id"].nunique() == len(big["action_dates"])  # every dated claim is still cited


def test_source_lines_stay_one_line_at_scale(big, dataset):
    for slug, build in briefing.SLIDES:
        small, s = build(dataset, present=True), build(big, present=True)
        assert len(s.source) <= max(2 * len(small.source), 130), (slug, s.source)


def test_debt_slide_rests_on_the_rows_it_draws(big):
    s = dict(briefing.SLIDES)["debt-to-china"](big, present=True)
    assert set(s.evidence["row_id"]) == {"kgz-chinese-banks", "tjk-chinese-banks"}
