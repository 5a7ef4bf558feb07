"""`python -m reporter`."""

from .cli import main

raise SystemExit(main())
