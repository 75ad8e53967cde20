"""The old Subscription API, kept for integrations that still call it."""
