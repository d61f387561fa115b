"""Words of sync, printing, badges, storage, keys and the command line's other commands."""

WORDS: dict[str, tuple[str, str]] = {
}
