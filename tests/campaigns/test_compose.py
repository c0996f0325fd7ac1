"""One recipient's drafted email, byte for byte, and the click-link rewriting it relies on."""

from __future__ import annotations

import html
import re
import uuid
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kindred.campaigns.compose import draft
from kindred.campaigns.errors import InvalidLink
from kindred.campaigns.links import HREF, MAX_TRACKED_URL, Links, Recipient, Signer
from kindred.campaigns.models import Campaign
from kindred.contacts.models import Contact
from kindred.core.secrets import new_key
from kindred.messaging.service import Draft
from kindred.settings import Settings

SETTINGS = Settings(
    public_base_url="https://crm.example.test/",
    secrets_key="Y2Fubm90LWJlLXVzZWQtaW4tcHJvZHVjdGlvbi0xMjM=",
)
TOKEN = "AAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAM"  # campaign 1, contact 3
API = "https://crm.example.test/api/campaigns"
UNSUBSCRIBE = f"{API}/unsubscribe?token={TOKEN}.dpEbe5vm7V7xw30b570F3g"


def test_an_email_draft_is_exactly_as_pinned() -> None:
    campaign = Campaign(
        id=uuid.UUID(int=1), workspace_id=uuid.UUID(int=2), name="b", type="EMAIL",
        subject="{{contact.firstName}}, news for {{contact.plan}}",
        body='<p>Hi {{contact.firstName|default("there")}} &amp; {{contact.name}}</p>'
        "<a HREF='https://example.com/a?x=1&amp;y=2'>go</a> "
        '<a href="https://example.com/u?e={{contact.email|urlencode}}">me</a>',
        from_name="News", from_email="news@example.com", allow_no_unsubscribe=False,
    )  # fmt: skip
    contact = Contact(
        id=uuid.UUID(int=3), workspace_id=campaign.workspace_id, first_name="Ada",
        last_name="<Byron>", email="ada@example.com", custom_fields={"plan": "pro"},
    )  # fmt: skip
    drafted = draft(SETTINGS, campaign, contact)
    assert drafted.subject == "Ada, news for pro"
    assert drafted.sender == "News <news@example.com>"
    assert drafted.content == (
        f"Hi Ada & Ada <Byron>\n\ngo ({API}/click/{TOKEN}.YkBCANvDZQadbPnf_QJRxg"
        "?url=https%3A%2F%2Fexample.com%2Fa%3Fx%3D1%26y%3D2) "
        f"me ({API}/click/{TOKEN}.mJvS3ejX0WR0-LQTLJ2plQ"
        "?url=https%3A%2F%2Fexample.com%2Fu%3Fe%3Dada%2540example.com)"
        f"\n\nUnsubscribe: {UNSUBSCRIBE}"
    )
    assert drafted.headers == {
        "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert drafted.html == (
        "<p>Hi Ada &amp; Ada &lt;Byron&gt;</p>"
        f"<a HREF='{API}/click/{TOKEN}.YkBCANvDZQadbPnf_QJRxg"
        "?url=https%3A%2F%2Fexample.com%2Fa%3Fx%3D1%26y%3D2'>go</a> "
        f'<a href="{API}/click/{TOKEN}.mJvS3ejX0WR0-LQTLJ2plQ'
        '?url=https%3A%2F%2Fexample.com%2Fu%3Fe%3Dada%2540example.com">me</a>'
        f'<p style="font-size:12px"><a href="{UNSUBSCRIBE}">Unsubscribe</a></p>'
        f'<img src="{API}/open/{TOKEN}.F1pzzBEpiN9oXi7lBw_FBg.gif" width="1" height="1" alt="">'
    )


LINKS = Links(Signer(SETTINGS), "https://b.test", Recipient(uuid.UUID(int=1), uuid.UUID(int=3)))
# Pieces of hrefs in any case, and characters that match or lowercase unusually: long s
# (matches "s" ignoring case), dotted capital I (lowercases to two characters), Kelvin sign.
PIECES = ["href", "HrEf", "h", "ref", " = ", "=", '"', "'", "https://", "HTTP\u017f://", "http://",
          "x.test/", "&amp;", "<a ", "<A\n", "<link ", "<area ", "<", ">", "\u0130", "\u017f",
          "\u212a", "\u03a3"]  # fmt: skip
# Where an href belongs to a link: the text before it, back to the last "<", opens <a or <area.
IN_LINK = re.compile(r"<(?:a|area)\b[^<>]*\Z", re.IGNORECASE)


def _rewritten(body: str, match: re.Match[str]) -> str:
    if not IN_LINK.search(body, 0, match.start()):
        return match[0]
    return f"{match[1]}{match[2]}{LINKS.click(html.unescape(match[3]))}{match[2]}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_track_clicks_rewrites_what_the_href_pattern_matches_in_links(body: str) -> None:
    expected = HREF.sub(partial(_rewritten, body), body)
    assert LINKS.track_clicks(body) == expected


@pytest.mark.parametrize(
    ("tag", "tracked"),
    [
        ('<a href="https://x.test/">', True),
        ('<area shape="rect" href="https://x.test/">', True),
        ('<link rel="stylesheet" href="https://fonts.x.test/css">', False),
        ('<base href="https://x.test/">', False),
        ('<abbr title="t" data-href="https://x.test/">', False),
    ],
)
def test_only_the_hrefs_of_links_are_tracked(tag: str, tracked: bool) -> None:
    assert ("/click/" in LINKS.track_clicks(tag)) is tracked


def _sms(body: str) -> str:
    campaign = Campaign(
        id=uuid.UUID(int=1), workspace_id=uuid.UUID(int=2), name="s", type="SMS", body=body,
        allow_no_unsubscribe=False,
    )  # fmt: skip
    contact = Contact(id=uuid.UUID(int=3), workspace_id=campaign.workspace_id, first_name="Ada")
    return draft(SETTINGS, campaign, contact).content


def test_a_link_too_long_for_the_click_route_is_left_untracked() -> None:
    long_url = "https://example.com/?q=" + "x" * MAX_TRACKED_URL
    body = f'<a href="{long_url}">long</a> <a href="https://example.com/short">short</a>'
    tracked = LINKS.track_clicks(body)
    assert f'href="{long_url}"' in tracked
    assert tracked.count("/api/campaigns/click/") == 1


@pytest.mark.parametrize(
    "body",
    [
        "Sale today. Reply STOP to opt out",
        "Sale today. reply stop to opt-out.",
        "Sale today. Text STOP to unsubscribe",
        "Sale today. Txt stop to end",
        "Sale today. Reply STOP to cancel",
        'Sale today. Reply "STOP" to quit',
        "Sale today. To opt out, reply STOP.",
    ],
)
def test_an_sms_with_an_opt_out_phrase_gets_no_second_one(body: str) -> None:
    assert _sms(body) == body


@pytest.mark.parametrize("body", ["Don't stop now, {{contact.firstName}}!", "Opt for the outlet"])
def test_an_sms_without_an_opt_out_phrase_gets_the_stop_line(body: str) -> None:
    assert _sms(body).endswith("\n\nReply STOP to opt out")


def _email(settings: Settings, subject: str = "News", first_name: str = "Ada") -> Draft:
    campaign = Campaign(
        id=uuid.UUID(int=1), workspace_id=uuid.UUID(int=2), name="e", type="EMAIL",
        subject=subject, body="<p>Hi</p>", allow_no_unsubscribe=False,
    )  # fmt: skip
    contact = Contact(
        id=uuid.UUID(int=3), workspace_id=campaign.workspace_id, first_name=first_name
    )
    return draft(settings, campaign, contact)


def test_a_line_break_in_a_contact_field_stays_inside_the_subject_line() -> None:
    drafted = _email(SETTINGS, "Hi {{contact.firstName}}", "Ada\r\nBcc: all@example.com")
    assert drafted.subject == "Hi Ada Bcc: all@example.com"


def test_one_click_unsubscribe_is_offered_over_https_only() -> None:
    plain_http = SETTINGS.model_copy(update={"public_base_url": "http://crm.example.test"})
    assert _email(plain_http).headers == {
        "List-Unsubscribe": f"<{UNSUBSCRIBE.replace('https://', 'http://')}>"
    }
    assert "List-Unsubscribe-Post" in (_email(SETTINGS).headers or {})


def test_a_link_signed_before_a_key_rotation_works_while_the_old_key_is_configured() -> None:
    old, new = new_key(), new_key()
    recipient = Recipient(uuid.UUID(int=1), uuid.UUID(int=3))
    sent = Signer(Settings(secrets_key=old)).token(recipient, "unsubscribe")
    rotating = Signer(Settings(secrets_key=f"{new},{old}"))
    assert rotating.verify(sent, "unsubscribe") == recipient
    signed_now = rotating.token(recipient, "unsubscribe")
    assert Signer(Settings(secrets_key=new)).verify(signed_now, "unsubscribe") == recipient
    with pytest.raises(InvalidLink):  # the old key dropped: its links go with it
        Signer(Settings(secrets_key=new)).verify(sent, "unsubscribe")


def test_a_previews_token_says_so_and_cannot_pass_for_the_recipients_own() -> None:
    signer = Signer(SETTINGS)
    recipient = Recipient(uuid.UUID(int=1), uuid.UUID(int=3))
    preview = Recipient(recipient.campaign_id, recipient.contact_id, preview=True)
    token = signer.token(preview, "open")
    assert signer.verify(token, "open") == preview
    assert not signer.verify(token, "open").counts
    signature = token.partition(".")[2]
    with pytest.raises(InvalidLink):  # the marker dropped, the signature no longer matches
        signer.verify(f"{recipient.payload}.{signature}", "open")
