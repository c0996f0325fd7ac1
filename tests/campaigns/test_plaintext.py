"""The text/plain part made from a campaign's HTML."""

from __future__ import annotations

import pytest

from kindred.campaigns.plaintext import plain_text


def test_styles_scripts_head_and_comments_are_not_text() -> None:
    body = (
        "<html><head><title>Issue 4</title><style>p { color: red }</style></head>"
        "<body><!-- preheader --><script>track()</script><p>Hello</p></body></html>"
    )
    assert plain_text(body) == "Hello"


def test_blocks_and_breaks_become_lines_and_source_whitespace_collapses() -> None:
    body = "<h1>Spring\n   news</h1><p>First line<br>second line</p><div>Bye</div>"
    assert plain_text(body) == "Spring news\n\nFirst line\nsecond line\n\nBye"


def test_list_items_are_bulleted_lines() -> None:
    assert plain_text("<p>Plans:</p><ul><li>Basic</li><li>Pro</li></ul>") == (
        "Plans:\n\n- Basic\n- Pro"
    )


@pytest.mark.parametrize(
    ("anchor", "text"),
    [
        (
            '<a href="https://x.test/a?b=1&amp;c=2">our plans</a>',
            "our plans (https://x.test/a?b=1&c=2)",
        ),
        ("<a class='btn' HREF='https://x.test/'><b>Buy</b> now</a>", "Buy now (https://x.test/)"),
        ('<a href="https://x.test/">https://x.test/</a>', "https://x.test/"),
        ('<a href="https://x.test/"><img src="logo.png"></a>', "https://x.test/"),
    ],
)
def test_a_link_reads_as_its_label_and_url(anchor: str, text: str) -> None:
    assert plain_text(f"<p>See {anchor}.</p>") == f"See {text}."


def test_entities_are_decoded_once() -> None:
    assert plain_text("<p>Fish &amp; chips &amp;lt;3</p>") == "Fish & chips &lt;3"
