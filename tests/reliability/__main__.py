"""``python -m tests.reliability`` (``make reliability``): run every fault scenario and write docs/reliability.md."""
import sys

from .table import main

sys.exit(main())
