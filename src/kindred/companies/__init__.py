"""Companies: the organisations contacts belong to (document 004)."""
