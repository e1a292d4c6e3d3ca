"""Alerts: events detected once (detect), their texts (messages), the channels they go to
(channels), delivery and retries (delivery), and the task-failure notifier (notifier)."""
