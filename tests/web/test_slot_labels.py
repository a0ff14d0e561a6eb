"""Every time slot a test can be planned in has its words, in the order plans list them."""

from fieldwork.shadow.models import SLOTS
from fieldwork.web import labels


def test_every_slot_is_worded_in_plan_order() -> None:
    assert tuple(labels.SLOTS) == SLOTS
