"""The demo event: its people generated from the name data (names.py), built into a desk or hub database."""
