"""Fair CPU shares under QEMU/SVM (checks: fair_share_checks.py)."""
import pytest
from conftest import boot
from fair_share_checks import FairShareScenario, fair_cmdline


@pytest.fixture(scope="module")
def fair():
    return boot("qemu", "iso", "64M", fair_cmdline(1000))


class TestFairShareSvm(FairShareScenario):
    pass
