"""Transparent page sharing under Bochs (Intel VT-x + EPT): the four-VM
scenario of test_sharing_qemu.py with the same checks (sharing_checks.py).

Bochs' clock is virtual (its TSC runs at about 4 MHz of emulated time), so
a page costs far more emulated milliseconds to scan than under QEMU: the
VMs are smaller, the waits longer, and the scanner may take 60% of the CPU
(share_cpu_pct) instead of 10%. The module skips, saying why, only when
Bochs cannot run a guest at all (conftest's probe)."""
import pytest
from conftest import boot, skip_unless_bochs_runs_a_guest
from sharing_checks import SharingScenario, twins_cmdline

CPU = "corei7_skylake_x"
VM = "3M:twins=200:zeros=100:unique=20:wait=16000"
RATES = ("share_scan_time=1000 share_rate_max=100000 share_scan_ghz=100000 share_cpu_pct=60 "
         "stats_interval=250")


@pytest.fixture(scope="module")
def sharing():
    skip_unless_bochs_runs_a_guest(CPU)
    return boot("bochs", "iso", "128M", twins_cmdline([VM] * 4, RATES, "script=share"), cpu=CPU, timeout=240)


class TestSharingVmx(SharingScenario):
    def test_backend_is_vmx(self, sharing):
        sharing.match(r"^memvisor: vmx: ")
