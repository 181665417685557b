"""The picker lets a multiclass loss be chosen and trained on circles in its two-node form."""

import asyncio

from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.pilot import running, wait_until


def test_the_picker_lets_cce_be_chosen_and_trained_on_circles():
    from lossterm.app.app import make_app

    app = make_app(trainer=canned_trainer, loader=canned_loader, problem="circles",
                   loss="bce", base=RunConfig(problem="", loss="", epochs=3))
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            picker = app.query_one("#picker")
            await wait_until(pilot, lambda: picker.data_ready)
            losses = app.query_one("#losses")
            options = {o.id: o for o in losses.options}
            seen["prompt"] = str(options["categorical_crossentropy"].prompt)
            seen["disabled"] = options["categorical_crossentropy"].disabled
            seen["huber"] = options["huber"].disabled
            losses.focus()
            losses.highlighted = list(options).index("categorical_crossentropy")
            await pilot.pause()
            seen["details"] = str(picker.details_text())
            await pilot.press("e")
            await pilot.pause()
            seen["theory"] = getattr(app.screen, "form", None)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("t")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(main())
    assert not seen["disabled"] and seen["huber"]
    assert seen["prompt"].startswith("² categorical_crossentropy")  # the mark comes first
    assert "output  2, softmax" in seen["details"] and "✗" not in seen["details"]
    assert "two-node form" in seen["details"]
    assert seen["theory"].startswith("two-node form: 2 softmax units, argmax on circles")
    run_ = app.runs[1]
    assert (run_.config.problem, run_.config.loss) == ("circles", "categorical_crossentropy")
    assert run_.status == "done"
