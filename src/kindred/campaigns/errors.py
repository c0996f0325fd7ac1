"""Campaign errors."""

from __future__ import annotations

from kindred.core.errors import BadRequest, Conflict, NotFound


class CampaignNotFound(NotFound):
    code = "CAMPAIGN_NOT_FOUND"
    message = "Campaign not found"


class CampaignStateError(BadRequest):
    code = "CAMPAIGN_STATE"
    message = "The campaign cannot do that in its current status"


class InvalidLink(NotFound):
    code = "INVALID_LINK"
    message = "This link is invalid or has expired"


class PublicUrlRequired(Conflict):
    code = "PUBLIC_BASE_URL_REQUIRED"
    message = (
        "Email campaigns sent live need KINDRED_PUBLIC_BASE_URL: their unsubscribe, open and "
        "click links must be absolute URLs of this server"
    )
