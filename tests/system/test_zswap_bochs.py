"""The compressed swap area under Bochs (Intel VT-x + EPT with accessed and
dirty bits): the same scenarios and checks as under QEMU/SVM
(zswap_checks.py). They need a working VMX backend: if a plain guest does not
run under Bochs, every test here is skipped, saying so."""
import pytest
from conftest import boot, skip_unless_bochs_runs_a_guest
from zswap_checks import (CAP_CMDLINE, COMPACT_CMDLINE, MIX_CMDLINE, CapScenario, CompactScenario,
                          MixScenario)

CPU = "corei7_skylake_x"   # EPT with A/D bits: the clock's accessed bits


@pytest.fixture(scope="module")
def vmx_works():
    skip_unless_bochs_runs_a_guest(CPU)


@pytest.fixture(scope="module")
def mix_run(vmx_works):
    return boot("bochs", "iso", "64M", MIX_CMDLINE, cpu=CPU, timeout=180)


@pytest.fixture(scope="module")
def cap_run(vmx_works):
    return boot("bochs", "iso", "64M", CAP_CMDLINE, cpu=CPU, timeout=180)


@pytest.fixture(scope="module")
def compact_run(vmx_works):
    return boot("bochs", "iso", "64M", COMPACT_CMDLINE, cpu=CPU, timeout=180)


class TestZswapMixVmx(MixScenario):
    pass


class TestZswapCapVmx(CapScenario):
    pass


class TestZswapCompactVmx(CompactScenario):
    pass
