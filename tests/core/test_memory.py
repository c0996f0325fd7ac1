import gc
from collections.abc import Iterator

import pytest

from kindred.core.memory import OLDER_GENERATIONS, YOUNG_GENERATION, settle_after_start_up


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_settling_freezes_what_start_up_made_and_widens_the_young_generation() -> None:
    kept: list[list[str]] = [["made at start-up"]]
    gc.unfreeze()

    settle_after_start_up()

    assert gc.is_tracked(kept)
    assert not any(found is kept for found in gc.get_objects())  # out of the collector's sight
    assert gc.get_threshold() == (YOUNG_GENERATION, *OLDER_GENERATIONS)
