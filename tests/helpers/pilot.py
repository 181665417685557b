"""Driving the real app under Textual's Pilot, and waiting on what it does, not on a clock.

Every change the app makes comes as a message on its loop: an epoch trained, a run
finished, a screen pushed, the backend loaded (worker threads only ever ``post_message``).
``running`` starts the app with a hook that notes each message, and ``wait_until``
re-checks its condition after each one, so a slow or loaded machine only makes a wait
longer, never a failure. A wait fails at once when the app has exited (nothing can change
after that) and otherwise only at the deadlock guard: far beyond any test's work on a
shared, loaded machine, it is there so a hang ends with a message instead of never.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Callable

from textual.app import App
from textual.pilot import Pilot

from tests.helpers.guard import DEADLOCK_GUARD

RECHECK = 0.5  # seconds: a condition a handler sets after its message was noted is seen anyway

_changed: weakref.WeakKeyDictionary[App, asyncio.Event] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def running(app: App, size: tuple[int, int] = (100, 30)) -> AsyncIterator[Pilot]:
    """``app.run_test`` with every message noted, so ``wait_until`` follows the app's events."""
    changed = asyncio.Event()
    _changed[app] = changed
    async with app.run_test(size=size, message_hook=lambda _message: changed.set()) as pilot:
        yield pilot


async def wait_until(pilot: Pilot, condition: Callable[[], object], what: str = "") -> None:
    """Return once ``condition()`` holds, re-checked after each message the app handles."""
    changed = _changed.get(pilot.app)
    if changed is None:
        raise RuntimeError("start the app with tests.helpers.pilot.running() to wait on it")
    loop = asyncio.get_running_loop()
    give_up = loop.time() + DEADLOCK_GUARD
    while not condition():
        assert pilot.app.is_running, f"the app exited before {what or 'the condition held'}"
        assert loop.time() < give_up, (
            f"nothing brought {what or 'the condition'} in {DEADLOCK_GUARD:.0f} s: "
            "the app is stuck (this guard is for a deadlock, not a time limit)")
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), RECHECK)
        await asyncio.sleep(0)  # let the handler of the message just noted run


async def next_message(pilot: Pilot) -> None:
    """Wait for the app to handle its next message (for sampling what it shows as it goes)."""
    changed = _changed[pilot.app]
    changed.clear()
    await asyncio.wait_for(changed.wait(), DEADLOCK_GUARD)
    await asyncio.sleep(0)


def cells(table, key) -> list[str]:
    """A row of the runs table as the plain text on screen."""
    return [str(cell) for cell in table.get_row(key)]


async def settled(app: App, pilot: Pilot) -> None:
    """Every worker finished and every message it posted handled: what a key led to is done
    (a verdict opened, or a notification said why not), with no clock involved."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
