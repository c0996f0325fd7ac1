"""The garbage collector's settings for a long-running worker process.

CPython's cycle collector runs its youngest generation every 700 net allocations and, every
100 of those, walks every object the process holds: the hundreds of thousands the imports,
the mappers and the compiled-statement caches made at start-up. A campaign batch allocates
that many objects (rows, dicts, ORM instances) and none of them outlive it, so a worker spent
about a sixth of its CPU collecting. Freezing what start-up made moves it out of the
collector's sight for good, and a larger young generation lets a batch's short-lived objects
die by reference counting before the collector looks at them.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION = 10_000
OLDER_GENERATIONS = (10, 10)


def settle_after_start_up() -> None:
    """Collects start-up's garbage, freezes what is left and widens the young generation;
    call once, when the process has imported and built everything it keeps."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *OLDER_GENERATIONS)
