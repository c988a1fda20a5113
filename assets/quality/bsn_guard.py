"""Moved to assets/common/bsn_guard.py (every stage writes through it). This name is the
same module object, so older imports (and monkeypatching in tests) keep working."""
import sys

from assets.common import bsn_guard

sys.modules[__name__] = bsn_guard
