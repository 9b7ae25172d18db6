"""scenario=overcommit and scenario=thrash under Bochs/VMX (checks:
overcommit_checks.py)."""
import pytest
from conftest import boot
from overcommit_checks import OvercommitScenario


@pytest.fixture(scope="module")
def overcommit():
    return boot("bochs", "iso", "160M", "scenario=overcommit", cpu="corei7_skylake_x", timeout=240)


@pytest.fixture(scope="module")
def thrash():
    return boot("bochs", "iso", "128M", "scenario=thrash", cpu="corei7_skylake_x", timeout=240)


class TestOvercommitVmx(OvercommitScenario):
    pass
