"""``python -m lrplot.gallery``, as the README and Makefile run it; see lrplot.describe.gallery."""

import sys

from lrplot.describe.gallery import gallery, main

__all__ = ["gallery", "main"]

if __name__ == "__main__":
    sys.exit(main())
