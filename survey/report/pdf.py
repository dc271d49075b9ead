"""The report as a PDF handout, drawn on the server by WeasyPrint from the report's own page.

The HTML is the report template rendered for print (charts at their print size, as SVG,
so they stay vectors); WeasyPrint lays it out with the print stylesheet
(``static/css/print.css``) and the page rules of ``static/css/pdf.css``: the paper
size, a running header with the organisation and the wave, and "3 / 8" page numbers.

Nothing is fetched over the network: every URL the page names is answered from memory
(the charts, drawn beforehand) or from the app's static folder, and anything else is
refused. Fonts are the machine's own (Debian's DejaVu, installed by the Makefile).
WeasyPrint is imported by the first PDF, not with the app.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: ``?paper=`` values and the CSS page size each gives.
PAPERS = {"a4": "A4", "letter": "letter"}
DEFAULT_PAPER = "a4"


class NotFetched(ValueError):
    """The page named something that is neither a drawn chart nor a static file."""


def _local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _fetcher(resources: Mapping[str, bytes], static_folder: Path, static_url: str) -> Any:
    """A WeasyPrint URL fetcher that answers from ``resources`` and the static folder only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _local_path(url)
            if path in resources:
                return URLFetcherResponse(url, resources[path], {"Content-Type": "image/svg+xml"})
            if path.startswith(f"{static_url}/"):
                relative = path.removeprefix(f"{static_url}/").split("?")[0]
                root = static_folder.resolve()
                file = (root / relative).resolve()
                if file.is_relative_to(root) and file.is_file():
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": kind})
            raise NotFetched(f"the PDF does not fetch {url}")

    return LocalFetcher(fail_on_errors=False)


def render_pdf(
    html: str,
    *,
    base_url: str,
    resources: Mapping[str, bytes],
    static_folder: Path,
    static_url: str,
    paper: str = DEFAULT_PAPER,
) -> bytes:
    """The page ``html`` as PDF bytes on ``paper`` (a key of :data:`PAPERS`).

    ``resources`` maps the paths (with query) the page names to their bytes: the charts.
    """
    from weasyprint import CSS, HTML

    # WeasyPrint logs each CSS rule it skips (the screen's media queries, properties it
    # lacks) and each step it takes; only its errors are worth a line in the app's log.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetch = _fetcher(resources, static_folder, static_url)
    page_rules = (static_folder / "css" / "pdf.css").read_text(encoding="utf-8")
    size = CSS(string=f"@page {{ size: {PAPERS[paper]}; }}")
    document = HTML(string=html, base_url=base_url, url_fetcher=fetch, media_type="print")
    return bytes(document.write_pdf(stylesheets=[CSS(string=page_rules, url_fetcher=fetch), size]))
