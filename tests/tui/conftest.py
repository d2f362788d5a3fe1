"""A fixed dashboard scene: two cameras, counts with five minutes of history, rules and events."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from textual.pilot import Pilot

from watcher.clock import FakeClock
from watcher.status import CameraHealth
from watcher.tui.messages import (
    AvailabilityChanged,
    CamerasUpdated,
    CountsChanged,
    EventArrived,
    FeedChanged,
    RuleChanged,
)
from watcher.tui.state import DashboardState, RuleUpdate
from watcher.types import Event, EventObject, EventType

NOON = datetime(2026, 3, 14, 12, 0, 0, tzinfo=UTC)
GARDEN_PEOPLE = [0, 1, 2, 3, 2, 1, 1, 2, 4, 3]
"""People in the garden, one value every 30 s, ending at NOON."""


def make_event(
    n: int, type_: EventType = EventType.START, rule: str = "person_on_lawn", camera: str = "garden"
) -> Event:
    """Event number `n` with a fixed id and one person."""
    ended = type_ is EventType.END
    return Event(
        id=f"ev{n:03d}",
        type=type_,
        rule=rule,
        kind="presence",
        camera=camera,
        zone="lawn",
        start_time=float(n),
        end_time=float(n + 1) if ended else None,
        value=not ended,
        objects=(EventObject(n, "person", 0.9, (1.0, 2.0, 3.0, 4.0)),),
    )


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Let the app run until condition() holds; False if it still does not after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Pilot needs a loop) on a fresh asyncio loop; no plugin needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def clock() -> FakeClock:
    """Wall time reaches NOON after the 270 s of count history."""
    return FakeClock(start=1000.0, wall_start=NOON - timedelta(seconds=270))


@pytest.fixture
def state(clock: FakeClock) -> DashboardState:
    return DashboardState(clock)


@pytest.fixture
def busy_state(clock: FakeClock, state: DashboardState) -> DashboardState:
    """The state after a fixed five minutes: what the snapshot and Pilot tests look at."""
    for i, people in enumerate(GARDEN_PEOPLE):
        if i:
            clock.advance(30.0)
        CountsChanged("garden", {"*": {"person": people}, "lawn": {"person": people // 2}}).apply(state)
    assert clock.wall() == NOON
    messages = [
        CountsChanged("porch", {"*": {"car": 1}}),
        FeedChanged("in-process daemon, 2 camera(s)"),
        CamerasUpdated(
            [
                CameraHealth("garden", "streaming", None, 15.0, 5.0, 41.5, 2.3, 12),
                CameraHealth("porch", "reconnecting", "read timed out after 5 s", 0.0, 0.0, 0.0, 0.0, 0),
            ]
        ),
        RuleChanged(RuleUpdate("person_on_lawn", "garden", "presence", False, False, None, True)),
        RuleChanged(
            RuleUpdate("people_at_sign", "garden", "presence", True, 3, NOON - timedelta(seconds=95), True)
        ),
        RuleChanged(RuleUpdate("package_on_porch", "porch", "left_object", False, False, None, False)),
        EventArrived(make_event(1), NOON - timedelta(seconds=180)),
        EventArrived(make_event(2, EventType.END), NOON - timedelta(seconds=120)),
        EventArrived(make_event(3, rule="people_at_sign"), NOON - timedelta(seconds=95)),
    ]
    for message in messages:
        message.apply(state)
    return state


@pytest.fixture
def fleet_state(clock: FakeClock, state: DashboardState) -> DashboardState:
    """Three nodes over MQTT with the same camera and rule names; `porch` has gone offline."""
    clock.advance(270.0)
    state.feed = "mqtt broker:1883"
    nodes = (("attic", "online"), ("garage", "online"), ("porch", "offline"))
    minute_ago = NOON - timedelta(seconds=60)
    for n, (node, availability) in enumerate(nodes):
        messages = [
            AvailabilityChanged(availability, node, NOON - timedelta(seconds=40) if n == 2 else None),
            CamerasUpdated([CameraHealth("cam", "streaming", None, 15.0, 5.0, 40.0 + n, 1.5, n)], node),
            CountsChanged("cam", {"*": {"person": n}}, node),
            RuleChanged(RuleUpdate("someone", "cam", "presence", n > 0, n > 0, minute_ago, node=node)),
            EventArrived(make_event(n, rule="someone", camera="cam"), minute_ago, node),
        ]
        for message in messages:
            message.apply(state)
    return state
