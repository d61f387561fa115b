"""Words of registration import: reading files, the report, the wizard and the import commands."""

WORDS: dict[str, tuple[str, str]] = {
}
