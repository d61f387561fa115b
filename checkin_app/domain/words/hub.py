"""Words of the hub: its API's refusals, desk vetting, bundles and the managers' dashboard."""

WORDS: dict[str, tuple[str, str]] = {
}
