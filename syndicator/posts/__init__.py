"""Finding and reading post files: posts folder -> (posts, problems), with front matter, bodies and slugs.

May import: model, config, errors. Never the build cache, render, cross-posting, daemon, server or CLI.
"""
