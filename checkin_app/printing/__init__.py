"""Printing: spooler and folder backends (the Qt printer backend is in ui/) and the job runner."""
