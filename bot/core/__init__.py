"""Platform-neutral core: knowledge, matching, walkthrough, safety check. Imports no chat SDK."""
