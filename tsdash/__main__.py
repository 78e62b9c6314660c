"""`python -m tsdash` runs the same command as the `tsdash` script."""

from tsdash.cli import main

raise SystemExit(main())
