"""The ``inbox`` fixture of the adversarial tests (helpers live in adversarial_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from adversarial_helpers import Inbox


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    return Inbox(tmp_path)
