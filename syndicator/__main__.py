"""`python -m syndicator`: the same command line as the `syndicator` script."""

from .cli.script import run

if __name__ == "__main__":
    run()
