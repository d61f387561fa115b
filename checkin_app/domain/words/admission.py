"""Words of verdict reasons: the admission rules and badge tokens."""

WORDS: dict[str, tuple[str, str]] = {
}
