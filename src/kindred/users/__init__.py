"""People who sign in: accounts, passwords, and their roles in workspaces."""
