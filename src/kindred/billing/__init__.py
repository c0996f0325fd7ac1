"""Credits: each workspace's balance and ledger, and the weight of each credit type."""
