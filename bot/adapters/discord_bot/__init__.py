"""Discord adapter (discord.py 2.x). Named `discord_bot` so it never shadows the library."""
