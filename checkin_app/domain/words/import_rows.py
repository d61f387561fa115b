"""Words of registration import: row checks and the import service's own refusals."""

WORDS: dict[str, tuple[str, str]] = {
}
