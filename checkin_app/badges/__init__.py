"""Badges: templates as data, bundled fonts with per-script fallback, a pure renderer, n-up sheets."""
