"""The desk's sync bookkeeping keys in sync_state (enrolment, cursor, refusals): client and bundles."""

from __future__ import annotations

K_URL, K_FP, K_CERT, K_TOKEN = "hub.url", "hub.fingerprint", "hub.cert_pem", "hub.token"
K_HUB, K_DESK, K_CURSOR = "hub.id", "hub.desk", "sync.cursor"
K_LAST_OK, K_LAST_PULL, K_INDEX = "sync.last_ok", "sync.last_pull", "sync.index_pending"
# Refused pushes: one sync_state row per item ("refused:<table>:<key>", JSON with the hub's
# reason), and the cursor of the last pull that brought reference data (event, categories,
# activities, delegates) that could make a refused item acceptable.
K_REFUSED, K_REF_DATA = "refused:", "sync.reference_seq"
# The hub a desk never enrolled over the network took its first bundle from (fingerprint).
K_BUNDLE_FP = "hub.bundle_fingerprint"
