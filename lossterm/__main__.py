from lossterm.cli import entry

entry()
