"""The course website, built offline from a student edition and tested in a real headless browser.

Debian's chromium + chromium-driver (scripts/setup.sh installs them) driven by selenium: every page loads without
console errors, every internal link resolves, every Colab badge opens a notebook of the student edition, search
finds a lab by a word of its text, maths renders, images have alt text.  Screenshots of the home page and of a lab
page are kept in build/artifacts/ (and in the test's tmp folder).
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import threading
import time
import urllib.parse
import urllib.request

import pytest

from course import leakcheck, nbtools, publish, site
from course.config import Course

COURSE = Course.load()
FIRST = COURSE.labs()[0].id
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = COURSE.root / "build" / "artifacts"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(edition, site folder): lab 1's solutions published (named), none by date."""
    base = tmp_path_factory.mktemp("site")
    edition = base / "student"
    publish.publish(COURSE, edition, solutions=[FIRST], now=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    started = time.monotonic()
    out = site.build(COURSE, edition, base / "html")
    print(f"site built in {time.monotonic() - started:.1f} s")
    return edition, out


def test_site_has_every_page(built):
    edition, out = built
    assert (out / "index.html").is_file() and (out / "instructors.html").is_file()
    assert (out / "search.html").is_file() and (out / "searchindex.js").is_file()
    for lab in COURSE.labs():
        assert (out / "labs" / f"{lab.id}.html").is_file()
        for nb_path in (edition / "release" / lab.id).glob("*.ipynb"):
            assert (out / "release" / lab.id / f"{nb_path.stem}.html").is_file()
    assert sorted(p.stem for p in (out / "solutions" / FIRST).glob("*.html")) == sorted(
        p.stem for p in (edition / "solutions" / FIRST).glob("*.ipynb")
    )
    assert not [p for p in (out / "solutions").iterdir() if p.name != FIRST]
    home = (out / "index.html").read_text(encoding="utf-8")
    for lab in COURSE.labs():
        total = sum(site.points(p) for p in (edition / "release" / lab.id).glob("*.ipynb"))
        assert lab.id in home and f"<td><p>{total:g}</p></td>" in home
    assert "cdn" not in " ".join(re.findall(r'src="([^"]+)"', home)).lower()


def test_site_does_not_leak(built):
    edition, out = built
    assert leakcheck.check_tree(COURSE, out, {FIRST}) == []


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(built):
    _, out = built
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_every_page_in_the_browser(built, served, browser, tmp_path):
    """Crawl from the home page: console errors, internal links, Colab badges, alt text."""
    edition, out = built
    todo, seen, problems, colab = [served + "index.html"], set(), [], set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        browser.get(url)
        browser.execute_script("return document.readyState")
        for message in _errors(browser):
            problems.append(f"{url}: console error {message}")
        for src, alt in browser.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.getAttribute('alt')])"
        ):
            if not (alt or "").strip():
                problems.append(f"{url}: image without alt text: {src}")
        for href in browser.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):
            if href.startswith("https://colab.research.google.com/"):
                colab.add(href)
                continue
            if not href.startswith(served):
                continue
            target = href.split("#")[0].split("?")[0]
            rel = urllib.parse.unquote(target[len(served) :]) or "index.html"
            if not (out / rel).is_file():
                problems.append(f"{url}: broken link {href}")
            elif rel.endswith(".html") and target not in seen and "_sources" not in rel:
                todo.append(target)
    assert not problems, "\n".join(problems[:40])
    assert len(seen) >= 3 + len(COURSE.labs())
    # every Colab badge opens a notebook that the student edition holds, at the public repository and term's tag
    prefix = f"https://colab.research.google.com/github/{COURSE.public_repository}/blob/{COURSE.public_ref}/"
    assert colab
    for href in sorted(colab):
        assert href.startswith(prefix), href
        assert (edition / href[len(prefix) :]).is_file(), href
    released = {p.relative_to(edition).as_posix() for p in edition.glob("release/*/*.ipynb")}
    assert released <= {href[len(prefix) :] for href in colab}


def test_search_finds_a_lab(built, served, browser):
    edition, _ = built
    nb_path = sorted((edition / "release" / FIRST).glob("*.ipynb"))[0]
    heading = nbtools.first_heading(nbtools.read(nb_path))
    word = max(re.findall(r"[A-Za-z]{5,}", heading), key=len)
    browser.get(f"{served}search.html?q={urllib.parse.quote(word)}")
    deadline, links = time.monotonic() + 30, []
    while time.monotonic() < deadline and not links:
        time.sleep(0.5)
        links = browser.execute_script("return Array.from(document.querySelectorAll('ul.search li a')).map(a=>a.href)")
    assert any(f"release/{FIRST}/{nb_path.stem}.html" in link for link in links), (word, links)
    assert not _errors(browser)


def test_maths_renders_and_screenshots(built, served, browser, tmp_path):
    edition, out = built
    page = next(p for p in sorted((out / "release").glob("*/*.html")) if 'class="math' in p.read_text(encoding="utf-8"))
    browser.get(served + page.relative_to(out).as_posix())
    deadline, rendered = time.monotonic() + 40, 0
    while time.monotonic() < deadline and not rendered:
        time.sleep(0.5)
        rendered = browser.execute_script(
            "return document.querySelectorAll('mjx-container mjx-math, mjx-container svg').length"
        )
    assert rendered, f"no maths rendered on {page}"
    assert not browser.execute_script("return document.querySelectorAll('mjx-merror, [data-mjx-error]').length")
    assert not _errors(browser)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {"home.png": "index.html", "lab.png": f"labs/{FIRST}.html", "notebook.png": page.relative_to(out)}
    for name, rel in shots.items():
        browser.get(served + str(rel))
        time.sleep(1)
        assert browser.save_screenshot(str(tmp_path / name))
        shutil.copy2(tmp_path / name, ARTIFACTS / name)
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_download_links_serve_notebooks(built, served):
    _, out = built
    lab_page = (out / "labs" / f"{FIRST}.html").read_text(encoding="utf-8")
    downloads = re.findall(r'href="(\.\./_downloads/[^"]+\.ipynb)"', lab_page)
    assert downloads
    for href in downloads:
        with urllib.request.urlopen(served + "labs/" + href) as resp:
            assert resp.status == 200 and b'"cells"' in resp.read()
