"""Webhook errors."""

from kindred.core.errors import BadRequest, NotFound


class WebhookEndpointNotFound(NotFound):
    message = "Webhook endpoint not found"


class WebhookDeliveryNotFound(NotFound):
    message = "Webhook delivery not found"


class UnknownEventType(BadRequest):
    code = "UNKNOWN_EVENT_TYPE"
    message = "Unknown event type"
