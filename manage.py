#!/usr/bin/env python
"""Same as the installed ``tongban`` command."""

from tongban.__main__ import main

if __name__ == "__main__":
    main()
