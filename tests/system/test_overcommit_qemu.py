"""scenario=overcommit and scenario=thrash under QEMU/SVM (checks:
overcommit_checks.py)."""
import pytest
from conftest import boot
from overcommit_checks import OvercommitScenario, ThrashScenario


@pytest.fixture(scope="module")
def overcommit():
    return boot("qemu", "iso", "160M", "scenario=overcommit", timeout=120)


@pytest.fixture(scope="module")
def thrash():
    return boot("qemu", "iso", "128M", "scenario=thrash", timeout=120)


class TestOvercommitSvm(OvercommitScenario):
    pass


class TestThrashSvm(ThrashScenario):
    pass


def test_scenario_and_guests_together_is_an_error():
    run = boot("qemu", "iso", "64M", "scenario=overcommit guests=hello:4M")
    run.match(r"^memvisor: error: option 'scenario': sets guests= itself: give one or the other$")


def test_unknown_scenario_is_an_error():
    run = boot("qemu", "iso", "64M", "scenario=party")
    run.match(r"^memvisor: error: option 'scenario': expected none, overcommit or thrash$")
