"""The banlist (document 003): emails and phones that are never sent anything."""
