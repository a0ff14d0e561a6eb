"""`flask fieldwork shadow plan …`: plan a grid of shadow tests from the command line.

The same service as the plan page (`fieldwork.shadow.plans`), with its refusals worded
here in English for whoever runs the command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from flask.cli import AppGroup
from sqlmodel import col, select

from fieldwork import catalog, db
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.shadow import plans
from fieldwork.shadow.models import SLOTS

shadow_group = AppGroup("shadow", help="Plan shadow tests.")

WORDS = {
    plans.UNKNOWN_PLATFORM: "no platform {code!r} in platforms.yaml",
    plans.UNKNOWN_CHANNEL: "no channel {code!r} in platforms.yaml",
    plans.NOT_OFFERED: "none of {platforms} offers {channel}",
    plans.UNKNOWN_SCENARIO: "the definition has no scenario {code!r}",
    plans.UNKNOWN_SLOT: "no slot {code!r} (slots: " + ", ".join(SLOTS) + ")",
    plans.NONE_CHOSEN: "give at least one",
    plans.UNKNOWN_SEGMENT: "not a segment of segments.yaml ({segments})",
    plans.NOT_A_TESTER: "not an active tester or admin",
    plans.BAD_DATE: "not a real day as YYYY-MM-DD",
    plans.BAD_LABEL: "1 to 64 letters, digits, '.', '_' or '-'",
    plans.COUNT_NOT_A_NUMBER: "the count must be a whole number",
    plans.COUNT_OUT_OF_RANGE: "the count must be from 1 to {most}",
    plans.TOO_MANY: "this makes {count} tests; at most {most} at a time",
    plans.NOT_ALLOWED: "only admins plan tests",
}
"""Each problem with a grid, for the option it is about."""
OPTIONS = {"platforms": "--platform", "channels": "--channel", "scenarios": "--scenario"}
OPTIONS |= {"slots": "--slot", "actor": "--by", "tester": "--to", "planned_on": "--on"}


def _words(problems: Sequence[plans.Problem]) -> str:
    lines = []
    for problem in problems:
        option = OPTIONS.get(problem.field, f"--{problem.field.replace('_', '-')}")
        values = {
            key: ", ".join(value) if isinstance(value, tuple) else value
            for key, value in problem.params.items()
        }
        lines.append(f"{option}: {WORDS[problem.code].format(**values)}")
    return "\n".join(lines)


@shadow_group.command("plan")
@click.argument("definition_id", metavar="DEFINITION")
@click.option("--platform", "platforms", multiple=True, help="A platform code; repeat for more.")
@click.option("--channel", "channels", multiple=True, help="A channel code; repeat for more.")
@click.option("--scenario", "scenarios", multiple=True, help="A scenario; repeat for more.")
@click.option("--slot", "slots", multiple=True, help="One of " + ", ".join(SLOTS) + "; repeat.")
@click.option("--count", default="1", show_default=True, help="Tests per cell.")
@click.option("--campaign", help="The campaign the tests belong to.")
@click.option("--wave", help="The wave the tests belong to.")
@click.option("--on", "planned_on", help="The day planned, YYYY-MM-DD; else any day.")
@click.option("--segment", help="The persona the tester plays (segments.yaml).")
@click.option("--spans-days", is_flag=True, help="A case logged over several days.")
@click.option("--to", "tester", help="The tester the tests are assigned to.")
@click.option("--by", "actor", help="The admin planning them (recorded); else the command line.")
def plan_command(definition_id: str, count: str, actor: str | None, **given: Any) -> None:
    """Plan every platform × channel it offers × scenario × slot given, COUNT tests each."""
    session = db.session()
    current = Versions().current(session, definition_id)
    definition = Versions().shadow(session, current.content_hash) if current else None
    if definition is None:
        raise click.ClickException(f"DEFINITION: no shadow definition {definition_id!r}")
    planner = None
    if actor is not None:
        planner = session.exec(select(StaffUser).where(col(StaffUser.username) == actor)).first()
        if planner is None:
            raise click.ClickException(f"--by: no staff user {actor!r}")
    grid = plans.Grid(count=plans.count_from(count), **given)
    segments = [s.code for s in catalog.segments()]
    try:
        checked = plans.plan_grid(session, definition, catalog.platforms(), segments, grid, planner)
    except plans.PlanRefused as refused:
        raise click.ClickException(_words(refused.problems)) from None
    count_planned = len(checked.plans)
    tests = "test" if count_planned == 1 else "tests"
    click.echo(f"{count_planned} {tests} planned against {definition.id} {definition.version}")
    for platform, channel in checked.skipped:
        click.echo(f"skipped {platform} {channel}: the platform does not offer the channel")
