"""`python -m hme_core.cli` runs `hme`."""

import sys

from hme_core.cli.main import main

sys.exit(main())
