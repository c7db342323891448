"""The package type-checks under `mypy --strict` (configured in pyproject.toml), so its annotations stay true."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_the_package_passes_mypy_strict():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
