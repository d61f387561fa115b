"""Words of the event definition: its files, set-up, rules dialog and the event commands."""

WORDS: dict[str, tuple[str, str]] = {
}
