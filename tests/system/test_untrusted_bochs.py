"""Guests that forge memvisor's lines, flood it with marks and inflate pages it
compressed, beside memtest, under Bochs/VMX (checks: untrusted_checks.py)."""
import pytest
from conftest import boot, skip_unless_bochs_runs_a_guest
from untrusted_checks import UNTRUSTED, UntrustedScenario

CPU = "corei7_skylake_x"


@pytest.fixture(scope="module")
def untrusted():
    skip_unless_bochs_runs_a_guest(CPU)
    return boot("bochs", "iso", "64M", UNTRUSTED, cpu=CPU)


class TestUntrustedGuestsVmx(UntrustedScenario):
    pass
