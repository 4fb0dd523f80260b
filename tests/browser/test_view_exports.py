"""The camera button on a filtered view saves an image named after the view, with the view's link inside it."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, wait_for_app


def test_camera_on_money_kgz_saves_money_kyrgyzstan_png_citing_the_view(page, tmp_path):
    page.goto(f"{page.app_url}/money?country=KGZ")
    wait_for_app(page, charts=1)
    chart = page.locator(".js-plotly-plot").first
    assert any("View: /money?country=KGZ" in t for t in chart.locator(".annotation-text").all_text_contents())
    chart.hover()
    with page.expect_download(timeout=60000) as info:
        page.locator('.modebar-btn[data-title^="Download plot"]').first.click()
    assert info.value.suggested_filename == "money-kyrgyzstan.png"
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "money-kyrgyzstan.png").write_bytes(path.read_bytes())
    texts = " ".join(chart.locator("text").all_text_contents())
    assert "Kyrgyzstan" in texts and "Tajikistan ·" not in texts and "Uzbekistan ·" not in texts
