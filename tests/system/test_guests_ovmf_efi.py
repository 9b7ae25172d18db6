"""The standard guests when memvisor.efi is started by OVMF's UEFI shell: the
guest images arrive as files in \\modules\\ instead of GRUB modules."""
import pytest
from conftest import boot
from guest_checks import STANDARD_GUESTS, GuestScenario


@pytest.fixture(scope="module")
def guests_run():
    return boot("ovmf", "efi", "128M", STANDARD_GUESTS)


class TestStandardGuestsEfi(GuestScenario):
    def test_booted_by_uefi(self, guests_run):
        guests_run.match(r"^memvisor: boot=uefi ")
