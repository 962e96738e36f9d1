"""``python -m reportkit`` is the same as the ``reportkit`` console script."""
from reportkit.cli import main

raise SystemExit(main())
