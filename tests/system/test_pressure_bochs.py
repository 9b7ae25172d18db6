"""One VM's memory pressure never stops another, under Bochs/VMX (checks:
pressure_checks.py): the same as under QEMU at a quarter of the size,
Bochs being slower (a hog of 12 MiB beside a memtest of 4 MiB in 8 MiB)."""
import pytest
from conftest import boot
from pressure_checks import PressureScenario


@pytest.fixture(scope="module")
def pressure():
    return boot("bochs", "iso", "64M",
                "guests=memtest:4M:passes=12,hog:12M:ms=500 guest_mem=8M",
                cpu="corei7_skylake_x", timeout=120)


class TestPressureVmx(PressureScenario):
    pass
