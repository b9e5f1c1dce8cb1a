"""Alerts: new events and significant updates, through Apprise, at most once each.

`enqueue` turns event changes into outbox rows, `message` words them, `deliver` sends
them, and `redact` keeps the secrets in target URLs out of the database and the logs.
"""
