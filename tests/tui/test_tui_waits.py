"""The suite's waits end on events: when the app or the program in the terminal has exited,
a wait for something that never came fails at once, long before the deadlock guard."""

import asyncio
import shutil
import threading
import time

import pytest

from lossterm.app.app import make_app
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.guard import DEADLOCK_GUARD
from tests.helpers.pilot import running, wait_until
from tests.helpers.terminal import Pane


def test_a_pilot_wait_holds_until_the_message_comes_then_returns():
    release = threading.Event()

    def loader():
        release.wait(DEADLOCK_GUARD)
        return canned_loader()

    app = make_app(trainer=canned_trainer, loader=loader, base=RunConfig("", "", epochs=2))

    async def main():
        async with running(app) as pilot:
            try:
                await pilot.pause()
                assert not app.sub_title.startswith("Keras 3 (canned)")
            finally:
                release.set()
            await wait_until(pilot, lambda: app.sub_title.startswith("Keras 3 (canned)"))

    asyncio.run(main())


def test_a_pilot_wait_fails_at_once_when_the_app_has_exited():
    app = make_app(trainer=canned_trainer, loader=canned_loader, base=RunConfig("", "", epochs=2))

    async def main():
        async with running(app) as pilot:
            await app.workers.wait_for_complete()
            app.exit()
            while app.is_running:  # the exit is a message too
                await asyncio.sleep(0)
            started = time.monotonic()
            with pytest.raises(AssertionError, match="the app exited before the verdict"):
                await wait_until(pilot, lambda: False, "the verdict")
            return time.monotonic() - started

    assert asyncio.run(main()) < DEADLOCK_GUARD / 10


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_terminal_wait_fails_at_once_when_the_program_has_exited(tmp_path):
    pane = Pane("echo nothing to see", tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(AssertionError, match="exited before 'training on' appeared"):
            pane.wait_for("training on")
        assert time.monotonic() - started < DEADLOCK_GUARD / 10
        assert pane.exit_code.read_text().strip() == "0"
    finally:
        pane.close()
