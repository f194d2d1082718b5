"""`python -m syndicator`: the same command line as the `syndicator` script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="syndicator")
