"""Outside services: narrow Protocols, their sandbox twins and vendors, inbound verification.

Inbound webhooks are verified over the raw body by the scheme's verifier (`twilio/webhooks.py`,
`stripe/webhooks.py`, `mailersend/webhooks.py`, `standard_webhooks.py`), then recorded once in
the inbound event ledger and routed to a workspace by `inbound.py`.
"""
