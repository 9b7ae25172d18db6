"""QEMU with OVMF, memvisor.efi started from the UEFI shell: every in-kernel test passes."""
import pytest
from conftest import ROOT, AllTestsScenario, boot

EFI_IMAGE = ROOT / "build" / "memvisor.efi"

pytestmark = pytest.mark.skipif(not EFI_IMAGE.exists(),
                                reason="build/memvisor.efi is not built by `make` yet")


@pytest.fixture(scope="module")
def run():
    return boot("ovmf", "efi", "256M", "test=all")


class TestOvmfEfi(AllTestsScenario):
    boot_path = "uefi"
    mem_mib = 256
