"""Form submission errors."""

from kindred.core.errors import BadRequest, NotFound


class InvalidSubmission(BadRequest):
    code = "INVALID_SUBMISSION"
    message = "Not a form submission"


class TallyNotConfigured(NotFound):
    """Without a signing secret and a workspace nothing can be verified or filed."""

    code = "TALLY_NOT_CONFIGURED"
    message = (
        "Tally submissions are not received here: set KINDRED_TALLY_WEBHOOK_SIGNING_SECRET and"
        " KINDRED_TALLY_WORKSPACE_ID"
    )
