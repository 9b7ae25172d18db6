"""One VM's memory pressure never stops another, under QEMU/SVM (checks:
pressure_checks.py): the hog of 64 MiB beside a memtest of 16 MiB in
guest_mem=48M."""
import pytest
from conftest import boot
from pressure_checks import PressureScenario


@pytest.fixture(scope="module")
def pressure():
    return boot("qemu", "iso", "128M",
                "guests=memtest:16M:passes=300,hog:64M guest_mem=48M", timeout=120)


class TestPressureSvm(PressureScenario):
    stopped_while_memtest_runs = True
