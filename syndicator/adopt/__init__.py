"""Adopt an existing blog: recognise its engine, map its settings to syndicator's config, and
keep the item ids its subscribers already have.

Flow: detect.detect(root) -> engines.<engine>.read(root) -> Adoption -> write.config_text()
-> (pin.pin_ids() with the old feed) -> files beside the engine's own config. Nothing here
edits or overwrites the user's files.

May import: config, posts, errors. Never build, render, cross-posting, daemon, server or CLI.
"""
