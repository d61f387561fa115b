"""Words of the desk window's other parts (views, dialogs, status bar, camera, scanners, sounds)."""

WORDS: dict[str, tuple[str, str]] = {
}
