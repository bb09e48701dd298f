"""chatwork-safe-bot: helps CrowdWorks freelancers move to Chatwork safely."""
