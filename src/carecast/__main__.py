"""`python -m carecast` runs the command line."""

from carecast.cli import main

main()
