"""The command line: argparse and its help (main), --headless (headless), its progress bars,
lossterm report / calc / explain and the listing tables. Goes through lossterm.service."""
