"""ui.evidence_blocks (used by the money and markets pages): the same content as ui.evidence, in fewer elements."""

import pytest
from streamlit.testing.v1 import AppTest

KINDS = ("financing", "indicators", "deployments")


def _app():
    import streamlit as st

    from dashboard import loaders, ui

    ds = loaders.dataset()
    table = st.query_params["table"]
    rows = ds[table].head(int(st.query_params.get("n", "40"))).to_dict("records")
    if st.query_params["mode"] == "old":
        for r in rows:
            ui.evidence(ds, r, heading=f"Row {r['source_id']}")
    else:
        ui.evidence_blocks(ds, [(r, f"Row {r['source_id']}") for r in rows])


def _run(table: str, mode: str) -> AppTest:
    at = AppTest.from_function(_app, default_timeout=60)
    at.query_params["table"] = table
    at.query_params["mode"] = mode
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("table", KINDS)
def test_blocks_carry_every_text_of_the_separate_elements(table):
    old, new = _run(table, "old"), _run(table, "new")
    text = "\n\n".join(m.value for m in new.markdown)
    pieces = [m.value for m in old.markdown] + [c.value for c in old.caption]
    assert pieces
    for piece in pieces:  # every heading, quote, source line and note, escaped the same way
        assert piece in text
    # the disagreement boxes are the same, in the same order
    assert [w.value for w in new.warning] == [w.value for w in old.warning]
    n_old = len(old.markdown) + len(old.caption) + len(old.warning)
    assert len(new.markdown) <= len(new.warning) + 1  # one block, split only where a box follows a quote
    assert len(new.markdown) + len(new.warning) < n_old


def test_source_lines_and_notes_are_small_grey_text_and_data_stays_escaped(dataset):
    from dashboard import ui

    row = {**dataset["financing"].iloc[0].to_dict(), "quote": "**bold** :red[x] <b>y</b> [z](http://e.example)",
           "caveat": "a :small[note]", "conflict_id": None}
    text = ui.evidence_text(dataset, row, heading="H [link](http://e.example)")
    assert text.startswith("**H \\[link\\]\\(http\\://e\\.example\\)**")
    assert "> “\\*\\*bold\\*\\* \\:red\\[x\\] \\<b\\>y\\</b\\>" in text
    assert ":small[:gray[Source: " in text and ":small[:gray[Note: a \\:small\\[note\\]]]" in text
