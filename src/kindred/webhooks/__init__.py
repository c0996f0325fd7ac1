"""Outbound webhooks: endpoints subscribe to domain events and get signed, retried deliveries."""
