"""tsdash.api, tsdash.sim and tsdash.alerts must not depend on the UI (design.md: api and sim
never import ui or textual; the alert rules and their delivery are tested without a screen), and
importing tsdash.api must stay light (aiohttp is loaded lazily)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _modules_after_import(module: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"import {module}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["tsdash.api", "tsdash.sim", "tsdash.alerts.rules",
                                    "tsdash.alerts.notifications", "tsdash.alerts.state",
                                    "tsdash.alerts.watch", "tsdash.alerts.feed",
                                    "tsdash.alerts.delivery", "tsdash.alerts.desktop"])
def test_service_layers_do_not_import_the_ui(module):
    loaded = _modules_after_import(module)
    leaked = [m for m in loaded
              if m == "textual" or m.startswith("textual.") or m == "tsdash.ui"
              or m.startswith("tsdash.ui.")]
    assert leaked == [], f"importing {module} loaded {leaked}"


def test_api_import_is_light():
    loaded = _modules_after_import("tsdash.api")
    assert "aiohttp" not in loaded, "import tsdash.api must not import aiohttp eagerly"
    code = (
        "import time\n"
        "t = time.perf_counter()\n"
        "import tsdash.api\n"
        "print(time.perf_counter() - t)\n"
    )
    best = min(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, timeout=60).stdout.strip())
        for _ in range(3)
    )
    assert best < 0.150, f"import tsdash.api took {best * 1000:.0f} ms"
