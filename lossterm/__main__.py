from lossterm.cli.main import entry

entry()
