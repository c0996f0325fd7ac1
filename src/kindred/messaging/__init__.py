"""Conversations and messages on every channel; `messaging.gate.check` is the one consent gate."""
