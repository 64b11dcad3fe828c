"""Headless-Chromium screenshot of a Superset dashboard (runs in .venv-bi, with Playwright).

    .venv-bi/bin/python bi/screenshot.py http://127.0.0.1:8088 layanan-informasi-bulanan docs/img/superset-dashboard.png

``make bi-screenshot`` (``python -m bi screenshot``) runs it against the server ``make bi``
started. It logs in through Superset's login form with the admin login in ``BI_ADMIN_FILE``
(never printed), opens the dashboard, waits until every chart has rendered (no loading
spinner, one canvas/svg or table per chart) and saves a full-page PNG.

Playwright drives the system's Chromium (Debian's ``chromium`` package, ``CHROMIUM`` to
override): Playwright's own browser download is not needed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    raise SystemExit("no Chromium found: install Debian's `chromium` (make test-deps does, as root)")


def take(base_url: str, slug: str, out: Path, width: int = 1600, timeout_s: float = 120) -> Path:
    from playwright.sync_api import sync_playwright

    login = json.loads(Path(os.environ["BI_ADMIN_FILE"]).read_text())
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000}, device_scale_factor=1)
            page.goto(f"{base_url}/login/", wait_until="networkidle")
            page.fill("input#username, input[name=username]", login["username"])
            page.fill("input#password, input[name=password]", login["password"])
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: "/login" not in url, timeout=timeout_s * 1000)
            page.goto(f"{base_url}/superset/dashboard/{slug}/?standalone=1", wait_until="networkidle")
            deadline = time.monotonic() + timeout_s
            while True:
                holders = page.locator(".dashboard-component-chart-holder").count()
                rendered = page.locator(
                    ".dashboard-component-chart-holder :is(canvas, svg, table, .big_number, .header-line)"
                ).count()
                loading = page.locator(".dashboard-component-chart-holder .loading, [aria-label='Loading']").count()
                if holders and not loading and rendered >= holders:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"dashboard not rendered in {timeout_s}s: {holders} charts, {rendered} rendered")
                page.wait_for_timeout(500)
            page.wait_for_timeout(1500)  # let the ECharts animations finish
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    print(take(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
