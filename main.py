"""Start the desk GUI from a source checkout (same as `checkin-app gui`)."""

import sys

from checkin_app.cli import main

if __name__ == "__main__":
    sys.exit(main(["gui", *sys.argv[1:]]))
