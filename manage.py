#!/usr/bin/env python
from homeward.cli import main

if __name__ == "__main__":
    main()
