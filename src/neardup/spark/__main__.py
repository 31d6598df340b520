"""``python -m neardup.spark INPUT OUTPUT``: the table job (see :func:`neardup.spark.main`)."""

from __future__ import annotations

import sys

from neardup.spark import main

sys.exit(main())
