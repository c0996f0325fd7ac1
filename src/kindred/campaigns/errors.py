"""Campaign errors."""

from __future__ import annotations

from kindred.core.errors import BadRequest, NotFound


class CampaignNotFound(NotFound):
    code = "CAMPAIGN_NOT_FOUND"
    message = "Campaign not found"


class CampaignStateError(BadRequest):
    code = "CAMPAIGN_STATE"
    message = "The campaign cannot do that in its current status"


class InvalidLink(NotFound):
    code = "INVALID_LINK"
    message = "This link is invalid or has expired"
