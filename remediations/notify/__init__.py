"""Notification channels: e-mail (SMTP), Slack and any webhook (one module per channel)."""
