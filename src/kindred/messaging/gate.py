"""The one consent gate every outbound message passes (the messages route, campaigns and
automations alike):

    address = await gate.check(session, settings, workspace_id, contact, Channel.SMS,
                               reference_id=message.id)

In order: the recipient has an address for the channel, is not on the banlist, is not
globally unsubscribed, has not opted out of the channel (`communicationPreferences`, e.g.
`{"sms": false}`), and the workspace's credits cover the channel's weight. The first failing
rule raises `MessageRefused` (422) naming it; on success the credits are charged in the
caller's transaction and the address to send to is returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kindred.banlist import service as banlist
from kindred.billing import service as billing
from kindred.billing.service import CreditType
from kindred.contacts.models import Contact
from kindred.core.errors import Unprocessable
from kindred.messaging.models import Channel
from kindred.settings import Settings

CREDIT_TYPES = {
    Channel.SMS: CreditType.SMS,
    Channel.WHATSAPP: CreditType.SMS,
    Channel.EMAIL: CreditType.EMAIL,
}


class MessageRefused(Unprocessable):
    code = "MESSAGE_REFUSED"
    message = "The message was refused"


class NoAddress(MessageRefused):
    code = "NO_ADDRESS"


class RecipientBanned(MessageRefused):
    code = "RECIPIENT_BANNED"


class RecipientUnsubscribed(MessageRefused):
    code = "RECIPIENT_UNSUBSCRIBED"


class ChannelOptedOut(MessageRefused):
    code = "CHANNEL_OPTED_OUT"


class InsufficientCredits(MessageRefused):
    code = "INSUFFICIENT_CREDITS"


def address_for(contact: Contact, channel: Channel) -> str | None:
    return contact.email if channel is Channel.EMAIL else contact.phone


def opted_out(contact: Contact, channel: Channel) -> bool:
    """`communicationPreferences` names a channel (any case) with `false` to opt out of it."""
    preferences = contact.communication_preferences or {}
    return any(
        key.lower() == channel.value.lower() and value is False
        for key, value in preferences.items()
    )


def screen(contact: Contact, channel: Channel, *, banned: bool) -> MessageRefused | None:
    """The first consent rule (credits aside) the contact fails; None when it passes them."""
    if not address_for(contact, channel):
        return NoAddress(f"The contact has no {'email' if channel is Channel.EMAIL else 'phone'}")
    if banned:
        return RecipientBanned("The recipient is on the banlist")
    if contact.globally_unsubscribed:
        return RecipientUnsubscribed("The recipient has unsubscribed from all messages")
    if opted_out(contact, channel):
        return ChannelOptedOut(f"The recipient has opted out of {channel.value}")
    return None


def _short_of_credits(credit_type: CreditType) -> InsufficientCredits:
    return InsufficientCredits(f"Not enough credits for {credit_type.value}")


async def check(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    contact: Contact,
    channel: Channel,
    *,
    reference_id: uuid.UUID | None = None,
) -> str:
    """The address to send to, with the channel's credits charged; else MessageRefused."""
    address = address_for(contact, channel)
    banned = bool(address) and (
        await banlist.banned_entry(
            session, workspace_id, emails=[contact.email], phones=[contact.phone]
        )
        is not None
    )
    refusal = screen(contact, channel, banned=banned)
    if refusal is not None:
        raise refusal
    assert address is not None  # screened
    credit_type = CREDIT_TYPES[channel]
    if not await billing.charge(session, settings, workspace_id, credit_type, reference_id):
        raise _short_of_credits(credit_type)
    return address


async def screen_many(
    session: AsyncSession, workspace_id: uuid.UUID, channel: Channel, recipients: Sequence[Contact]
) -> list[str | MessageRefused]:
    """`check` without the credits, for many contacts with one banlist lookup: per contact and
    in order, the address to send to or the refusal."""
    banned = await banlist.banned_among(
        session,
        workspace_id,
        emails=[contact.email for contact in recipients],
        phones=[contact.phone for contact in recipients],
    )
    verdicts: list[str | MessageRefused] = []
    for contact in recipients:
        refusal = screen(contact, channel, banned=bool({contact.email, contact.phone} & banned))
        verdicts.append(refusal or str(address_for(contact, channel)))
    return verdicts


async def charge_many(
    session: AsyncSession,
    settings: Settings,
    workspace_id: uuid.UUID,
    channel: Channel,
    verdicts: Sequence[str | MessageRefused],
    *,
    reference_id: uuid.UUID | None = None,
    whole: bool = False,
) -> list[str | MessageRefused]:
    """Charges the screened-in recipients (one debit, one ledger entry naming `reference_id`):
    when the credits run out part-way the later ones are refused, or with `whole` every one
    of them is (nothing charged). Returns the verdicts with those refusals."""
    passing = [index for index, verdict in enumerate(verdicts) if isinstance(verdict, str)]
    credit_type = CREDIT_TYPES[channel]
    charged = await billing.charge_many(
        session, settings, workspace_id, credit_type, len(passing), reference_id, whole=whole
    )
    charged_verdicts = list(verdicts)
    for index in passing[charged:]:
        charged_verdicts[index] = _short_of_credits(credit_type)
    return charged_verdicts
