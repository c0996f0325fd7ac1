"""Platform administration: views across every workspace, for platform admins only."""
