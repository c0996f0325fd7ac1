"""One recipient's message: the personalised subject and body, and for email the click
tracking, open pixel and unsubscribe link; for SMS the opt-out line."""

from __future__ import annotations

import html
import re
from email.headerregistry import Address
from email.utils import parseaddr

from kindred.campaigns.errors import PublicUrlRequired
from kindred.campaigns.links import Links, Recipient, Signer
from kindred.campaigns.models import Campaign, CampaignType
from kindred.campaigns.plaintext import plain_text
from kindred.contacts.models import Contact
from kindred.core.templating import TemplateInvalid, contact_context, render
from kindred.messaging.service import Draft
from kindred.settings import Settings

STOP_LINE = "Reply STOP to opt out"
# An opt-out phrase the body already has: an instruction to reply or text an opt-out keyword
# ("Text STOP to unsubscribe", "reply stop to opt-out"), in any case.
OPT_OUT = re.compile(
    r"\b(?:reply|text|txt|send)\s+[\"'\u201c\u2018]?(?:stop|stopall|unsubscribe|cancel|end|quit)\b",
    re.IGNORECASE,
)
CONTEXT_FIELDS = (
    "id", "first_name", "last_name", "email", "phone", "company", "title", "role", "source",
    "language",
)  # fmt: skip
ONE_CLICK = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}  # RFC 8058
MAX_SUBJECT = 998  # the subject columns' length (RFC 5322's line limit)


def context(contact: Contact) -> dict[str, object]:
    # A loaded column's value sits in the instance __dict__ (SQLAlchemy's InstanceState.dict),
    # where reading it skips the instrumented descriptor; getattr covers anything else.
    loaded = vars(contact)
    fields = {
        name: loaded[name] if name in loaded else getattr(contact, name) for name in CONTEXT_FIELDS
    }
    fields["id"] = str(contact.id)
    return {"contact": contact_context(fields, contact.custom_fields or {})}


def require_absolute_links(settings: Settings, campaign: Campaign) -> None:
    """Refuses (409) to send a campaign's emails live without the server's public URL: their
    links would be relative, an unsubscribe link nobody can follow and every tracked link of
    the body broken. The sandbox shows its captures beside the API, where they resolve."""
    email = campaign.type == CampaignType.EMAIL.value
    if email and settings.delivery_mode == "live" and not settings.public_base_url:
        raise PublicUrlRequired()


class Composer:
    """Drafts one campaign's messages; what is the same for every recipient (the link key,
    the sender) is worked out once."""

    def __init__(self, settings: Settings, campaign: Campaign, *, preview: bool = False) -> None:
        self.signer = Signer(settings)
        self.preview = preview  # its links say so: what is done through them counts nowhere
        self.base = (settings.public_base_url or "").rstrip("/")
        self.sender = sender(settings, campaign)
        # Read once: each read of an ORM attribute goes through SQLAlchemy's descriptor.
        self.campaign_id, self.body, self.subject = campaign.id, campaign.body, campaign.subject
        self.email = campaign.type == CampaignType.EMAIL.value
        self.unsubscribe = not campaign.allow_no_unsubscribe

    def draft(self, contact: Contact) -> Draft:
        """Raises TemplateInvalid when the body or subject cannot render for this contact."""
        values = context(contact)
        if not self.email:
            text = render(self.body, values)
            if not OPT_OUT.search(text):
                text = f"{text.rstrip()}\n\n{STOP_LINE}"
            return Draft(content=text)
        recipient = Recipient(self.campaign_id, contact.id, self.preview)
        links = Links(self.signer, self.base, recipient)
        # One header line: a contact field's line break must not end it (or start another).
        subject = " ".join(render(self.subject or "", values).split()) or None
        if subject is not None and len(subject) > MAX_SUBJECT:
            raise TemplateInvalid(f"The subject is over {MAX_SUBJECT} characters once personalised")
        body = links.track_clicks(render(self.body, values, html=True))
        text = plain_text(body)
        headers: dict[str, str] = {}
        if self.unsubscribe:
            url = links.unsubscribe()
            body += f'<p style="font-size:12px"><a href="{html.escape(url)}">Unsubscribe</a></p>'
            text += f"\n\nUnsubscribe: {url}"
            if links.base:  # List-Unsubscribe needs an absolute URL
                headers = {"List-Unsubscribe": f"<{url}>"}
            if url.startswith("https://"):  # RFC 8058: one-click over HTTPS only
                headers |= ONE_CLICK
        body += f'<img src="{html.escape(links.open_pixel())}" width="1" height="1" alt="">'
        return Draft(
            content=text or body, subject=subject, html=body, sender=self.sender, headers=headers
        )


def draft(
    settings: Settings, campaign: Campaign, contact: Contact, *, preview: bool = False
) -> Draft:
    """One message (a preview's, its links marked so, when `preview`); a batch keeps one
    Composer for all its recipients."""
    return Composer(settings, campaign, preview=preview).draft(contact)


def sender(settings: Settings, campaign: Campaign) -> str | None:
    """The campaign's "fromName <fromEmail>", either part defaulting to the configured sender;
    None (the provider's default) when the campaign sets neither."""
    if not (campaign.from_name or campaign.from_email):
        return None
    name, address = parseaddr(settings.email_from)
    return str(Address(campaign.from_name or name, addr_spec=campaign.from_email or address))
