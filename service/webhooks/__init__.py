"""Webhooks: subscriptions per team and delivery of the transactional outbox after commit."""
