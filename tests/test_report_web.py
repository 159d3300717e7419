"""/rapport: the status document of a round in the site's layout, and its downloads read back
by other readers (python-docx, pdftotext); a date that is no round is a 404 naming the rounds;
what the data holds is escaped on the page and in every format."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from conftest import PAYLOAD, web_client
from test_statusdoc import APRIL, AUGUST, expected, read_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def client(web_data):
    with web_client(data_dirs=(web_data,), timeout=30.0, today=date(2025, 9, 1)) as test_client:
        yield test_client


def main_of(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_the_page_shows_the_latest_round_with_a_choice_of_rounds_and_the_downloads(client, engine):
    response = client.get("/rapport")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<a href="/rapport">Rapport</a>' in page                                   # in the site's menu
    assert '<link rel="stylesheet" href="/static/statusrapport.css">' in page and "<style" not in page   # the CSP
    main = main_of(page)
    assert "<h1>Handlingsplan – status pr. 20. august 2025</h1>" in main
    assert re.findall(r'<option value="([\d-]+)"( selected)?>', main) == [(AUGUST, " selected"), (APRIL, "")]
    for suffix in (".docx", ".pdf", ".html", ".md"):
        assert f'href="/rapport{suffix}?as_of={AUGUST}" download' in main, suffix
    for name, (area, phase, _) in expected(engine, AUGUST).items():
        assert f"<strong>{name.replace('&', '&amp;')}</strong>" in main, name
    assert main.count("<section class=\"area\">") == len({a for a, _, _ in expected(engine, AUGUST).values()})
    assert '<svg' in main and 'role="img"' in main                      # the chart drawn by the server
    assert client.get("/static/statusrapport.css").headers["content-type"].startswith("text/css")


def test_another_round_and_english(client, engine):
    main = main_of(client.get(f"/rapport?as_of={APRIL}&lang=en").text)
    assert "<h1>Action plan – status as of 8 April 2025</h1>" in main
    assert f'<option value="{APRIL}" selected>' in main
    assert f'href="/rapport.pdf?as_of={APRIL}&amp;lang=en" download' in main
    for name in expected(engine, APRIL, "en"):
        assert f"<strong>{name.replace('&', '&amp;')}</strong>" in main, name
    assert "There is no earlier round to compare with." in main


@pytest.mark.parametrize("as_of", ["2025-04-09", "1999-01-01", "<script>x</script>"])
def test_a_date_that_is_no_round_is_a_404_that_names_the_rounds(client, as_of):
    for path in ("/rapport", "/rapport.docx", "/rapport.pdf"):
        response = client.get(path, params={"as_of": as_of})
        assert response.status_code == 404, path
        assert "runderne er 2025-04-08, 2025-08-20" in response.text, path
        assert "<script>x" not in response.text


def test_the_docx_download_is_word_with_every_area_as_a_heading(client, engine, tmp_path):
    response = client.get("/rapport.docx", params={"as_of": AUGUST})
    assert response.status_code == 200 and response.headers["content-type"] == DOCX
    assert response.headers["content-disposition"] == f'attachment; filename="statusrapport-{AUGUST}.docx"'
    (tmp_path / "r.docx").write_bytes(response.content)
    headings, found = read_docx(tmp_path / "r.docx")
    found = {name.strip(): row for name, row in found.items()}   # a name without a source: "name " + no [n]
    want = expected(engine, AUGUST)
    assert headings == ["Sammenfatning", *sorted({area for area, _, _ in want.values()}), "Kilder"]
    assert PAYLOAD in found                      # the payload is text in Word, as it is in the graph
    assert {name: row for name, row in found.items() if name != PAYLOAD} == want


def test_the_pdf_download(client, engine, tmp_path, pango, pdftotext):
    response = client.get("/rapport.pdf", params={"as_of": APRIL, "lang": "en"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="statusrapport-{APRIL}-en.pdf"'
    assert response.content.startswith(b"%PDF-")
    (tmp_path / "r.pdf").write_bytes(response.content)
    words = " ".join(subprocess.run([pdftotext, tmp_path / "r.pdf", "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    assert "Action plan – status as of 8 April 2025" in words
    for name in expected(engine, APRIL, "en"):
        assert name in words, name


def test_the_html_and_markdown_downloads(client):
    html = client.get("/rapport.html")
    assert html.status_code == 200 and html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.headers["content-disposition"] == f'attachment; filename="statusrapport-{AUGUST}.html"'
    assert html.text.startswith("<!DOCTYPE html>") and "<h1>Handlingsplan – status pr. 20. august 2025</h1>" in html.text
    md = client.get("/rapport.md", params={"lang": "en"})
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.headers["content-disposition"] == f'attachment; filename="statusrapport-{AUGUST}-en.md"'
    assert "\n# Action plan – status as of 20 August 2025\n" in md.text


def test_the_script_payload_is_text_on_the_page_and_in_the_html_and_markdown(client):
    escaped = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
    page = client.get("/rapport").text
    assert f"<strong>{escaped}</strong>" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    html = client.get("/rapport.html").text
    assert escaped in html and "<script>alert" not in html and "<img src=x" not in html
    md = client.get("/rapport.md").text
    # Markdown's characters escaped: every < of the payload is \<, which a renderer shows as text
    assert r"\<img src=x onerror=alert\(1\)\>\<script\>" in md
    assert not re.search(r"(?<!\\)<(img|script|/script)", md)


def test_the_latest_report_is_kept_beside_an_on_disk_store_and_served_from_there(web_data, client, tmp_path):
    """On an on-disk store the latest round's page and files are computed after the front page
    and kept beside the store; they are served from there (no job runs), the same as computed."""
    import time

    from test_dashboard import jobs_run

    settings = dict(data_dirs=(web_data,), warm=True, in_memory_limit=0, cache=tmp_path / "cache",
                    timeout=30.0, today=date(2025, 9, 1))
    with web_client(**settings) as http:
        web = http.app.state.web
        end = time.monotonic() + 180
        while not all((web.beside() / f"rapport-{lang}.json").is_file() for lang in ("da", "en")):
            assert time.monotonic() < end, "the report was not kept"
            time.sleep(0.1)
        folder = web.beside()
        ran = jobs_run(web)
        answers = {path: http.get(path, headers={"accept": "text/html"})
                   for path in ("/rapport", "/rapport?lang=en", f"/rapport?as_of={AUGUST}", "/rapport.html",
                                f"/rapport.md?as_of={AUGUST}&lang=en", "/rapport.docx", "/rapport.pdf?lang=en")}
        assert ran == []                                   # every one read from beside the store
        older = http.get(f"/rapport?as_of={APRIL}", headers={"accept": "text/html"})
        assert ran == ["report_page"] and older.status_code == 200     # another round: computed
    assert (tmp_path / "cache") in folder.parents and not list(folder.glob(".rapport-*"))
    assert sorted(p.name for p in folder.glob("rapport-*")) == sorted(
        f"rapport-{lang}{end}" for lang in ("da", "en") for end in (".json", "-side.html", ".docx", ".pdf", ".html", ".md"))
    for path, answer in answers.items():
        computed = client.get(path, headers={"accept": "text/html"})        # data held in memory: computed
        assert answer.status_code == computed.status_code == 200, path
        assert answer.headers["content-disposition" if "." in path.split("?")[0] else "content-type"] == \
            computed.headers["content-disposition" if "." in path.split("?")[0] else "content-type"]
        if path.startswith(("/rapport?", "/rapport.html", "/rapport.md")) or path == "/rapport":
            assert answer.text == computed.text, path
    (tmp_path / "kept.docx").write_bytes(answers["/rapport.docx"].content)
    (tmp_path / "computed.docx").write_bytes(client.get("/rapport.docx").content)
    assert read_docx(tmp_path / "kept.docx") == read_docx(tmp_path / "computed.docx")


def test_a_pdf_of_a_round_over_the_limit_is_a_sentence(engine, monkeypatch):
    """Above PDF_LIMIT initiatives in the round the PDF is not laid out (at a million triples it
    had not finished after 11 minutes): a sentence that offers the other formats, at once."""
    from rammegraf.errors import RammegrafError
    from rammegraf.web.jobs import report

    assert report.report_file(engine, None, "da", ".pdf")["body"].startswith(b"%PDF")
    monkeypatch.setattr(report, "PDF_LIMIT", 10)
    with pytest.raises(RammegrafError, match=r"runden har \d+ initiativer, over 10 .*Hent den som .docx eller .html"):
        report.report_file(engine, None, "da", ".pdf")
    with pytest.raises(RammegrafError, match="Download it as .docx or .html"):
        report.report_file(engine, APRIL, "en", ".pdf")
    assert report.report_file(engine, None, "da", ".docx")["body"].startswith(b"PK")
    assert ".pdf" not in report.report_kept(engine, "da")["files"]


def test_a_report_of_a_round_over_the_web_limit_is_a_sentence_in_every_format(engine, monkeypatch):
    """Above WEB_LIMIT initiatives in the round the server makes no report at all (at ten million
    triples it is 115 MB of HTML, 138 s and 2.4 GB): the page and every file answer with a sentence
    that names the command, at once, and nothing is computed ahead."""
    from rammegraf.errors import RammegrafError
    from rammegraf.web.jobs import report

    page = report.report_page(engine, None, "da")
    assert page["day"] == "2025-08-20" and "<table" in page["body"]    # the shipped round: well under it
    monkeypatch.setattr(report, "WEB_LIMIT", 10)
    danish = r"Rapporten laves ikke her: runden har \d+ initiativer, over 10 .*rammegraf report"
    with pytest.raises(RammegrafError, match=danish):
        report.report_page(engine, None, "da")
    for suffix in (".html", ".md", ".docx", ".pdf"):
        with pytest.raises(RammegrafError, match=danish):
            report.report_file(engine, None, "da", suffix)
    with pytest.raises(RammegrafError, match=r"The report is not made here: the round has \d+ initiatives, over 10"):
        report.report_file(engine, APRIL, "en", ".docx")
    with pytest.raises(RammegrafError, match=danish):
        report.report_kept(engine, "da")
    monkeypatch.setattr(report, "WEB_LIMIT", 10_000)
    assert report.report_file(engine, None, "da", ".docx")["body"].startswith(b"PK")


def test_the_whole_calendar_is_kept_beside_an_on_disk_store_for_the_day(web_data, tmp_path):
    """/frister.ics without a choice (every milestone as of today) is kept beside an on-disk store
    (10 MB at a million triples: more than the page cache keeps), one file a day and language."""
    from test_dashboard import jobs_run

    settings = dict(data_dirs=(web_data,), in_memory_limit=0, cache=tmp_path / "cache", today=date(2025, 9, 1))
    with web_client(**settings) as http:
        web = http.app.state.web
        stale = web.beside() / "frister-2025-08-31-da.ics"
        stale.write_bytes(b"yesterday's")
        first = http.get("/frister.ics")
        assert first.status_code == 200 and first.content.startswith(b"BEGIN:VCALENDAR")
        assert (web.beside() / "frister-2025-09-01-da.ics").read_bytes() == first.content
        assert not stale.exists()
        web.cache.clear()
        ran = jobs_run(web)
        again = http.get("/frister.ics")
        assert again.content == first.content and ran == []          # read from beside the store
        chosen = http.get("/frister.ics?as_of=2025-09-01&within=30")  # a choice: computed, not kept
        assert chosen.status_code == 200 and ran == ["calendar"]
        assert sorted(p.name for p in web.beside().glob("frister-*")) == ["frister-2025-09-01-da.ics"]


def test_a_large_rounds_page_is_its_summary_and_each_area_a_page_of_its_own(engine, monkeypatch):
    """Above PAGE_WHOLE initiatives in the round (at a million triples 11,250-15,000: an 11-14 MB
    page) /rapport is the document's summary, with each development area's heading and number
    of initiatives linking to a page of its own; an area's page holds that area's rows as the
    whole document has them, and cites only what it shows, by the document's own numbers."""
    from rammegraf.statusdoc import gather
    from rammegraf.web.jobs import report

    whole_doc = gather(engine, lang="da")
    whole = report.report_page(engine, None, "da")
    assert whole["part"] is None and whole["body"].count('<section class="area">') == len(whole_doc["areas"])
    monkeypatch.setattr(report, "PAGE_WHOLE", 2)
    for day in (None, date.fromisoformat(APRIL)):    # the summary says what the whole document's does
        whole_of, part = gather(engine, as_of=day, lang="da"), gather(engine, as_of=day, lang="da", part="summary")
        for key in ("title", "count_line", "phase_counts", "chart", "since", "changes", "deadlines", "overdue_line"):
            assert part[key] == whole_of[key], key
        assert [a["name"] for a in part["areas"]] == [a["name"] for a in whole_of["areas"]]
        assert all(not a["initiatives"] for a in part["areas"])
    summary = report.report_page(engine, None, "da")
    body = summary["body"]
    assert summary["part"] == "summary" and '<section class="area">' not in body and "<table class=\"initiatives\"" not in body
    assert '<section class="summary">' in body and "<svg" in body           # the summary and its chart as before
    for section in ("Ændringer siden", "De næste frister"):
        assert section in body
    links = re.findall(r'<a href="(/rapport\?as_of=2025-08-20&amp;omraade=udviklingsomraade%2F[a-z0-9-]+)">'
                       r"Se områdets initiativer i runden \((\d+)\)</a>", body)
    assert len(links) == len(whole_doc["areas"]) and sum(int(n) for _, n in links) == sum(
        len(a["initiatives"]) for a in whole_doc["areas"])
    cited = {int(n) for n in re.findall(r'<li value="(\d+)">', body)}
    for area in whole_doc["areas"]:
        param = area["iri"].split("/id/", 1)[1]
        page = report.report_page(engine, None, "da", param)
        assert page["part"] == area["iri"] and page["title"].startswith(area["heading"])
        part = gather(engine, lang="da", part=area["iri"])
        assert [i["iri"] for a in part["areas"] for i in a["initiatives"]] == [i["iri"] for i in area["initiatives"]]
        assert part["areas"][0]["initiatives"] == area["initiatives"]       # the rows, citations and all
        assert '<section class="summary">' not in page["body"] and page["body"].count('<section class="area">') == 1
        numbers = {int(n) for n in re.findall(r'<li value="(\d+)">', page["body"])}
        shown = {int(x) for group in re.findall(r'<span class="cite">\[([\d, ]+)\]</span>', page["body"])
                 for x in group.split(", ")}
        assert numbers == shown and numbers                               # lists what it cites, no more
        cited |= numbers
    assert cited == {s["number"] for s in whole_doc["sources"]}            # together: every source of the whole
    for bad in ("udviklingsomraade/none", "../etc", "<script>"):
        with pytest.raises(report.NotFound):
            report.report_page(engine, None, "da", bad)
    english = report.report_page(engine, APRIL, "en")
    assert "See the area&#39;s initiatives in the round (" in english["body"] and "&amp;lang=en" in english["body"]
    kept = report.report_kept(engine, "da")
    assert kept["page"]["part"] == "summary" and '<section class="area">' in kept["files"][".html"].decode()


def test_an_areas_page_is_served_with_a_way_back_to_the_summary(tmp_path):
    """/rapport of a round over PAGE_WHOLE initiatives (generated: 350) on the site: the summary
    with a link per development area, each area's page in the site's layout with a link back
    to the summary and the downloads whole; an area that is no area is a 404."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate import generate

    from rammegraf.web.jobs.report import PAGE_WHOLE

    generate(tmp_path / "data", years=1, per_region_year=70)
    with web_client(data_dirs=(tmp_path / "data",), timeout=30.0, today=date(2025, 9, 1)) as paged:
        summary = main_of(paged.get("/rapport?as_of=2025-05-01").text)
        counts = re.findall(r'<a href="/rapport\?as_of=2025-05-01&amp;omraade=([^"]+)">'
                            r"Se områdets initiativer i runden \((\d+)\)</a>", summary)
        assert sum(int(n) for _, n in counts) == 350 > PAGE_WHOLE and len(counts) > 1
        assert '<table class="initiatives">' not in summary and "Tilbage til sammenfatningen" not in summary
        area, count = counts[0]
        response = paged.get(f"/rapport?as_of=2025-05-01&omraade={area}")
        assert response.status_code == 200
        main = main_of(response.text)
        assert '<a href="/rapport?as_of=2025-05-01">← Tilbage til sammenfatningen' in main
        assert main.count('<section class="area">') == 1 and '<section class="summary">' not in main
        assert main.count('<tr id="') == int(count)
        assert 'href="/rapport.docx?as_of=2025-05-01" download' in main
        assert paged.get("/rapport?as_of=2025-05-01&omraade=udviklingsomraade/ingen").status_code == 404
        assert paged.get("/rapport?as_of=2025-05-01&omraade=%3Cscript%3E").status_code == 404
