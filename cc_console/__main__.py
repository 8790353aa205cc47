"""Allow ``python -m cc_console``."""

from cc_console.cli import main

main()
