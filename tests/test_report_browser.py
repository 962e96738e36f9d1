"""Open the rendered coverage report in a real headless Chromium, the way a manager would."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def page_report(rendered_reports, tmp_path_factory):
    """Load the coverage HTML once; record console messages, dialogs and every request."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: `make browser` must install it")
        pytest.skip("chromium is not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    html = rendered_reports["coverage"].html
    shot = tmp_path_factory.mktemp("browser") / "coverage.png"
    record: dict = {"console": [], "requests": [], "blocked": [], "dialogs": [], "page_errors": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: record["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: record["page_errors"].append(str(e)))
            page.on("dialog", lambda d: (record["dialogs"].append(d.message), d.dismiss()))

            def route(r):
                url = r.request.url
                record["requests"].append(url)
                if url.startswith(("file://", "data:")):
                    r.continue_()
                else:
                    record["blocked"].append(url)
                    r.abort()

            page.route("**/*", route)
            page.goto(html.as_uri(), wait_until="load")
            page.screenshot(path=str(shot), full_page=True)
            record["images"] = page.eval_on_selector_all(
                "img", "els => els.map(e => ({w: e.naturalWidth, complete: e.complete, alt: e.alt}))")
            record["visible_code"] = page.eval_on_selector_all(
                ".jp-CodeMirrorEditor, .jp-InputArea-editor, pre.highlight",
                "els => els.filter(e => e.offsetParent !== null).length")
            record["text"] = page.inner_text("body")
            record["script_count"] = page.eval_on_selector_all("script", "els => els.length")
            record["kpi_count"] = page.eval_on_selector_all("[data-kpi]", "els => els.length")
        finally:
            browser.close()
    record["screenshot"] = shot
    return record


def test_screenshot_is_taken(page_report):
    assert page_report["screenshot"].stat().st_size > 10_000


def test_no_console_errors_and_no_page_errors(page_report):
    assert [m for m in page_report["console"] if m[0] in ("error", "warning")] == []
    assert page_report["page_errors"] == []
    assert page_report["dialogs"] == [], "a hostile name ran as script"


def test_no_request_leaves_the_file(page_report):
    assert page_report["blocked"] == []
    assert page_report["requests"], "the route recorded nothing: the check did not run"


def test_every_image_is_decoded(page_report):
    images = page_report["images"]
    assert len(images) >= 5
    assert all(i["complete"] and i["w"] > 0 for i in images), images
    assert all(i["alt"] for i in images), "every chart needs alt text"


def test_no_code_is_visible(page_report):
    assert page_report["visible_code"] == 0
    assert "rk.assess(" not in page_report["text"] and "import " not in page_report["text"]


def test_hostile_display_names_appear_as_text(page_report):
    text = page_report["text"]
    assert "<script>alert(1)</script>" in text
    assert "=cmd|' /C calc'!A0" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert page_report["script_count"] == 0
    assert page_report["kpi_count"] >= 10
