"""The standard guests under Bochs (Intel VT-x + EPT): the same guests, the
same checks, the same results as under QEMU/SVM apart from the backend."""
import pytest
from conftest import boot
from guest_checks import STANDARD_GUESTS, GuestScenario

STATUS_NO_VIRTUALIZATION = 7


@pytest.fixture(scope="module")
def guests_run():
    return boot("bochs", "iso", "128M", STANDARD_GUESTS, cpu="corei7_skylake_x")


class TestStandardGuestsVmx(GuestScenario):
    def test_backend_is_vmx(self, guests_run):
        guests_run.match(r"^memvisor: vmx: ")


@pytest.fixture(scope="module")
def haswell():
    # A second model with EPT and unrestricted guest: the in-kernel tests
    # (backend, vmx) and a guest.
    return boot("bochs", "iso", "64M", "test=backend,vmx,trap", cpu="corei7_haswell_4770")


def test_second_vmx_model_passes_the_backend_tests(haswell):
    haswell.match(r"^memvisor: tests: \d+ passed, 0 failed$")
    assert not haswell.containing("# SKIP no usable virtualisation backend"), haswell.describe()
    assert haswell.final == (0, "tests-passed"), haswell.describe()


@pytest.mark.parametrize("cpu, message", [
    ("core2_penryn_t9600", r"this CPU has VT-x but no EPT \(IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 1 is 0\)"),
    ("corei5_lynnfield_750", r"this CPU has VT-x and EPT but no unrestricted guest"),
])
def test_models_without_ept_or_unrestricted_guest_are_explained(cpu, message):
    run = boot("bochs", "iso", "64M", "guests=hello:4M", cpu=cpu)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_NO_VIRTUALIZATION, "no-virtualization"), run.describe()
