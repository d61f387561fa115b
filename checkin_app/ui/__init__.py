"""The PySide6 desk GUI: the only package that imports Qt."""
