"""Adapters: the inbox's own tables (people, sessions, tokens), live updates, NATS requests."""
