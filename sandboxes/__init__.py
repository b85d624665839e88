"""Local stand-ins for the marketplaces' seller APIs and the OCOP registry, for offline runs and tests.

One module per platform with the same inner shape (`shopee`, `lazada`, `tiktok`: routes, signing,
envelopes, handlers), on shared pieces: `gateway` (HTTP, faults, counting, logging), `state`
(SQLite per sandbox), `review` (the review lifecycle), `faults`, `config` (shops and settings from
TOML), `admin` (test hooks), `registry`, `fleet` (the in-process harness) and `cli`.
"""
