"""Contract commands whose capabilities are not built yet: they say so and exit 2.

When a capability lands, its command moves to a module of its own and leaves this file.
None is left at present.
"""

from __future__ import annotations

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}
