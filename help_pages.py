"""The plugin's documentation, shipped in its ``docs/`` folder as Markdown, shown in a
browser from each algorithm's Help button: the pages are rendered to HTML (Qt reads
Markdown) into a folder of the system's temporary files the first time one is asked for,
and again when a page changed. The help texts name the pages (docs/sensors.md, ...);
tests/test_package.py checks that the zip holds every page the shipped code names."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent / "docs"
LINK = re.compile(r"\]\(([A-Za-z0-9_]+)\.md(#[^)]*)?\)")


def help_page_url(page: str = "algorithms.md") -> str:
    """A ``file://`` URL of ``docs/<page>`` rendered as HTML ('' where the plugin has no
    such page, so QGIS shows no Help button)."""
    from qgis.PyQt.QtCore import QUrl

    source = DOCS / page
    if not source.is_file():
        return ""
    folder = Path(tempfile.gettempdir()) / "hyperspectral_crnn_help"
    folder.mkdir(exist_ok=True)
    for markdown in DOCS.glob("*.md"):
        target = folder / (markdown.stem + ".html")
        if not target.exists() or target.stat().st_mtime < markdown.stat().st_mtime:
            target.write_text(render_page(markdown), encoding="utf-8")
    return QUrl.fromLocalFile(str(folder / (source.stem + ".html"))).toString()


def render_page(markdown: Path) -> str:
    """One page as HTML: links to other pages point at their HTML, images at the
    shipped docs/images."""
    from qgis.PyQt.QtGui import QTextDocument

    text = LINK.sub(lambda m: f"]({m.group(1)}.html{m.group(2) or ''})",
                    markdown.read_text(encoding="utf-8"))
    text = text.replace("](images/", f"]({(DOCS / 'images').as_uri()}/")
    document = QTextDocument()
    document.setMarkdown(text)
    return document.toHtml()
