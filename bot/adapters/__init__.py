"""Adapters translate platform events into core calls; they hold no business rules."""
