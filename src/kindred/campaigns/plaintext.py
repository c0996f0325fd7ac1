"""The text/plain part of a campaign email, made from its HTML: what a reader of the HTML sees,
in reading order, with each link as `label (url)` so that a text-only reader can follow it.

Regular expressions rather than a parser: this runs for every recipient of a campaign, and the
HTML is the sender's own (already rendered and link-tracked), not a hostile document.
"""

from __future__ import annotations

import html
import re

FLAGS = re.IGNORECASE | re.DOTALL
INVISIBLE = re.compile(r"<(style|script|head|title)\b[^>]*>.*?</\1\s*>|<!--.*?-->", FLAGS)
ANCHOR = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a\s*>""", FLAGS)
LINE_BREAK = re.compile(r"<br\b[^>]*>", re.IGNORECASE)
LIST_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
BLOCK_END = re.compile(r"</(?:p|div|h[1-6]|tr|table|ul|ol|blockquote|section)\s*>", FLAGS)
TAGS = re.compile(r"<[^>]+>")
# Spelt with a literal start, which the regex engine searches for quickly ("\n{3,}" is tried at
# every character: 20 times slower).
BLANK_LINES = re.compile(r"\n\n\n+")


def plain_text(body: str) -> str:
    text = " ".join(INVISIBLE.sub("", body).split())  # source whitespace collapses
    text = ANCHOR.sub(_link, text)
    text = LIST_ITEM.sub("\n- ", LINE_BREAK.sub("\n", text))
    text = html.unescape(TAGS.sub("", BLOCK_END.sub("\n\n", text)))
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return BLANK_LINES.sub("\n\n", lines).strip()


def _link(match: re.Match[str]) -> str:
    """`label (url)`, or the url alone when the label is empty or is the url (both still
    HTML-escaped: the whole text is unescaped once at the end)."""
    url, label = match[2].strip(), TAGS.sub("", match[3]).strip()
    if not label or html.unescape(label) == html.unescape(url):
        return url
    return f"{label} ({url})"
