"""Shared pieces: database, time zones, tokens, domain errors, the e-mail outbox."""
