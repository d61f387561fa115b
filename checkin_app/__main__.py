"""`python -m checkin_app` runs the same command line as `checkin-app`."""

from checkin_app.cli import main

raise SystemExit(main())
