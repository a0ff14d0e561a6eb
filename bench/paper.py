"""Benchmark: a print run of numbered sheets against rendering each alone, and keying one.

One command, one run (issue 12 point 9):

(a) `stamp_sheets` prints N numbered large-print sheets (default 500) of the shipped
    questionnaire in Chinese as one PDF, laying the body out once; the baseline, in the
    same run, renders each sheet's whole HTML (the body with its stamp in the page margin)
    separately with WeasyPrint, the naive path. The baseline is timed on a sample of
    sheets (default 20) and scaled to N, which the report says. Target: ≥ 5× faster.
(b) One sheet, cold (the first in this process: WeasyPrint loaded, fonts cut, body laid
    out) and warm (the next, another id: fonts and body reused).
(c) The process's peak memory, taken before (d) starts a server and a browser.
    Target: ≤ 500 MB.
And it decodes a sample of the run's sheets, every page: the QR code (pdftoppm +
zxing-cpp) and the text (pdftotext) must both give that sheet's id. Target: all right.
(d) Keying speed: the app in a temporary instance (a fresh SQLite database, the shipped
    questionnaires, one fieldworker) served over HTTP from a thread; one sheet issued with
    no second entry; Chromium (Playwright, /usr/bin/chromium or FIELDWORK_CHROMIUM) signs
    in, types the sheet id, and keys every section of the shipped sheet as a keyer does:
    each field's code, digits or text, Enter only where a field does not move on by itself,
    Shift+Enter between lines of text; no mouse, no Tab. Target: the keys pressed ≤ 1.2 ×
    what the stored answers hold (`keying.keystrokes`: the digits of each printed code,
    number and date, the characters of open text) + one per section, and the stored
    response holds what the sheet says.

Prints PASS/FAIL per target; exits 0 only if all pass.

    python bench/paper.py                   # 500 sheets, baseline on 20, ~2.5 minutes
    python bench/paper.py --sheets 100 --baseline 10 --language zh-Hant
    python bench/paper.py --keying-only     # (d) alone, ~10 s
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fieldwork.config import ROOT as PROJECT  # noqa: E402
from fieldwork.definitions.reading import read_folder  # noqa: E402
from fieldwork.paper import ids, pdf, stamps  # noqa: E402
from fieldwork.paper.sheet import sheet_html  # noqa: E402
from fieldwork.paper.stamps import Stamp  # noqa: E402
from fieldwork.questionnaire.model import Questionnaire  # noqa: E402

QUESTIONNAIRE = "after_sales_consumer"
SPEEDUP = 5.0
PEAK_MB = 500
RESOLUTION = 150


def large_sheet(questionnaire: Questionnaire, language: str) -> str:
    """The sheet a print run stamps: the questionnaire in large print."""
    return sheet_html(questionnaire, language=language, size="large")


def naive_sheet(body: str, stamp: Stamp) -> str:
    """The baseline's sheet: the whole body with its own stamp in the page margin boxes,
    so every sheet is laid out from scratch."""
    margin = (
        "<style>@page {"
        f' @top-left {{ content: "{stamp.sheet_id}\\A {stamp.issued_for}"; white-space: pre;'
        " font-size: 11pt; vertical-align: middle; }"
        f' @top-right {{ content: url("{stamps.qr_uri(stamp.sheet_id)}"); width: 24mm;'
        " height: 24mm; vertical-align: middle; } }</style></head>"
    )
    return body.replace("</head>", margin, 1)


def run_stamps(count: int, language: str, title: str) -> list[Stamp]:
    said = {
        "zh-Hans": "2026 春季 · 第 1 轮 · 老年人 · 简体中文",
        "zh-Hant": "2026 春季 · 第 1 輪 · 長者 · 繁體中文",
    }
    issued = f"{title} · {said[language]}"
    return [Stamp(ids.shown(ids.draw()), issued) for _ in range(count)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(job: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = job()
    return time.perf_counter() - start, result


def decode_sample(run: bytes, sheets: list[Stamp], pages: int, sample: int) -> list[str]:
    """Every page of a sample of sheets (the first, the last, random others): wrong ids."""
    chosen = sorted(
        {0, len(sheets) - 1, *random.sample(range(len(sheets)), min(sample, len(sheets)))}
    )
    wrong = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "run.pdf"
        source.write_bytes(run)
        for index in chosen:
            for page in range(index * pages + 1, (index + 1) * pages + 1):
                wanted = sheets[index].sheet_id
                qr, text = _read_page(source, page, Path(folder))
                if qr != [wanted] or wanted not in text:
                    wrong.append(f"page {page}: QR {qr}, text has id: {wanted in text}")
    return wrong


def _read_page(source: Path, page: int, folder: Path) -> tuple[list[str], str]:
    import zxingcpp
    from PIL import Image

    prefix = folder / "page"
    common = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(RESOLUTION),
            *common,
            "-gray",
            "-png",
            "-singlefile",
            str(source),
            str(prefix),
        ],
        check=True,
    )
    image = Image.open(f"{prefix}.png")
    codes = [code.text for code in zxingcpp.read_barcodes(image)]
    text = subprocess.run(
        ["pdftotext", *common, str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    return codes, text


class Bench:
    """One run's inputs: the sheet's body, its stamps and the font cache they share."""

    def __init__(self, args: argparse.Namespace, cache: Path) -> None:
        questionnaire = read_folder(PROJECT / "questionnaires").questionnaires[QUESTIONNAIRE]
        self.language, self.cache = args.language, cache
        self.title = questionnaire.title[args.language]
        self.body = large_sheet(questionnaire, args.language)
        self.sheets = run_stamps(args.sheets, args.language, self.title)

    def print_run(self, sheets: list[Stamp]) -> bytes:
        return stamps.stamp_sheets(
            self.body, language=self.language, title=self.title, stamps=sheets, cache=self.cache
        )

    def one_sheet(self) -> None:
        cold, _ = timed(lambda: self.print_run(self.sheets[:1]))
        warm, _ = timed(lambda: self.print_run(self.sheets[1:2]))
        print(f"(b) one sheet: cold {cold:.2f} s (WeasyPrint loaded, fonts cut, body laid out)")
        print(f"    warm {warm:.2f} s (another id: fonts and laid-out body reused)")

    def run(self) -> tuple[float, bytes, int]:
        """The print run: seconds, the PDF, pages a sheet."""
        seconds, run = timed(lambda: self.print_run(self.sheets))
        total = len(PdfReader(BytesIO(run)).pages)
        print(
            f"(a) stamp_sheets: {len(self.sheets)} sheets, {total} pages, {len(run) / 1e6:.1f} MB,"
            f" {seconds:.1f} s ({seconds / len(self.sheets) * 1000:.0f} ms a sheet);"
            f" peak so far {peak_mb():.0f} MB"
        )
        return seconds, run, total // len(self.sheets)

    def baseline(self, count: int) -> float:
        """The naive path's seconds for the whole run, scaled from `count` sheets."""
        renderer = pdf.Renderer(self.language, self.cache)
        sample = self.sheets[:count]
        renderer.pdf(naive_sheet(self.body, sample[0]), self.title)  # the margin's fonts, cut once
        naive, _ = timed(
            lambda: [renderer.pdf(naive_sheet(self.body, s), self.title) for s in sample]
        )
        scaled = naive / len(sample) * len(self.sheets)
        print(
            f"    baseline, each sheet's HTML rendered alone: {len(sample)} sheets in {naive:.1f} s"
            f" ({naive / len(sample):.2f} s a sheet), scaled to {len(self.sheets)}: {scaled:.0f} s"
        )
        return scaled


def judge(results: list[tuple[str, bool, str]]) -> int:
    for name, ok, value in results:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {value}")
    return 0 if all(ok for _, ok, _ in results) else 1


def printing(args: argparse.Namespace) -> list[tuple[str, bool, str]]:
    """(a)–(c): the print run against the naive path, its pages read back, peak memory (of
    this process before the keying starts a server and a browser)."""
    with tempfile.TemporaryDirectory() as cache:
        bench = Bench(args, Path(cache))
        print(f"layout: sheet_html, {args.language}, large print")
        bench.one_sheet()
        seconds, run, pages = bench.run()
        if args.keep:
            args.keep.write_bytes(run)
        scaled = bench.baseline(args.baseline)
        wrong = decode_sample(run, bench.sheets, pages, args.decode)
    speedup, peak = scaled / seconds, peak_mb()
    return [
        (
            f"(a) {args.sheets} sheets ≥ {SPEEDUP:g}× the naive path",
            speedup >= SPEEDUP,
            f"{speedup:.1f}×",
        ),
        (
            "every page of the sampled sheets reads its id (QR and text)",
            not wrong,
            "all right" if not wrong else "; ".join(wrong[:5]),
        ),
        (f"(c) peak memory ≤ {PEAK_MB} MB", peak <= PEAK_MB, f"{peak:.0f} MB"),
    ]


def keyed_through_the_pages(language: str) -> list[tuple[str, bool, str]]:
    """(d), or a FAIL line saying why it could not run (no Chromium, a page that broke).
    Imported only now: the app and its services would weigh in (c)'s peak memory."""
    try:
        import paper_keying

        return paper_keying.report(paper_keying.keyed(language))
    except Exception as error:  # any failure to key the sheet is the verdict's reason
        return [("(d) the shipped sheet keyed through the entry pages", False, repr(error))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheets", type=int, default=500)
    parser.add_argument("--baseline", type=int, default=20, help="sheets the baseline renders")
    parser.add_argument("--decode", type=int, default=20, help="sheets whose pages are decoded")
    parser.add_argument("--language", default="zh-Hans", choices=["zh-Hans", "zh-Hant"])
    parser.add_argument("--keep", type=Path, help="write the run's PDF here")
    parser.add_argument("--keying-only", action="store_true", help="only (d): key one sheet")
    args = parser.parse_args()
    results = [] if args.keying_only else printing(args)
    return judge(results + keyed_through_the_pages(args.language))


if __name__ == "__main__":
    sys.exit(main())
