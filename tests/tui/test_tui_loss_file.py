"""A loss file (--loss-file) in the TUI: its loss is listed in the picker, selected and trained."""

from tests.helpers.pilot import running


def test_the_tui_picker_lists_and_selects_it(losses_py, monkeypatch):
    import asyncio

    from lossterm.losses import catalogue

    monkeypatch.setattr(catalogue, "_OWN", {})  # registered for this test only: other TUI
    # tests in this process (snapshots of the picker) must not see it

    from lossterm.app.app import make_app
    from lossterm.app.widgets.picker import Picker
    from lossterm.losses.own import load_loss_files
    from lossterm.training.records import RunConfig

    (name,) = load_loss_files([f"{losses_py}:my_bce"])
    app = make_app(base=RunConfig(problem="", loss="", epochs=2), problem="circles", loss=name)

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            picker = app.query_one(Picker)
            listed = [picker.query_one("#losses").get_option_at_index(i).id
                      for i in range(picker.query_one("#losses").option_count)]
            return picker.loss, listed

    selected, listed = asyncio.run(main())
    assert selected == "my_bce" and "my_bce" in listed
