import sys

from lossterm.cli import main

sys.exit(main())
