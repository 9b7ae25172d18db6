"""Fair CPU shares under Bochs/VMX (checks: fair_share_checks.py). Bochs
makes no external-interrupt exit while a guest has RFLAGS.IF = 0, so only
the per-exit check and the VMX-preemption timer end a slice. Exits cost
Bochs more of its virtual time than QEMU: the memtest beside the busy VMs
needs a longer window to finish in."""
import pytest
from conftest import boot
from fair_share_checks import FairShareScenario, fair_cmdline


@pytest.fixture(scope="module")
def fair():
    return boot("bochs", "iso", "64M", fair_cmdline(6000), cpu="corei7_skylake_x")


class TestFairShareVmx(FairShareScenario):
    pass
