"""The standard guests under QEMU TCG (AMD SVM + NPT), plus the guest-related
errors: unknown image, bad size, machine too small, missing SVM / NPT."""
import pytest
from conftest import boot
from guest_checks import STANDARD_GUESTS, GuestScenario

STATUS_BAD_OPTION = 2
STATUS_NO_VIRTUALIZATION = 7


@pytest.fixture(scope="module")
def guests_run():
    return boot("qemu", "iso", "128M", STANDARD_GUESTS)


class TestStandardGuestsSvm(GuestScenario):
    def test_backend_is_svm(self, guests_run):
        guests_run.match(r"^memvisor: svm: SVM with nested paging, \d+ ASIDs")


@pytest.mark.parametrize("cmdline, message", [
    ("guests=nosuch:4M", r"option 'guests': no guest image 'nosuch' \(images: hello, memtest, crash, badcall, bench, spin, busy, hog, workset, badballoon, twins, zipmix\)"),
    ("guests=hello:12Q", r"option 'guests': '12Q' is not a size for hello"),
    ("guests=hello", r"option 'guests': 'hello' needs a memory size"),
    ("guests=hello:1M", r"option 'guests': hello:1M: memory must be a multiple of 4K between 2M and 64G"),
    ("guests=memtest:200M", r"option 'guests': memtest needs 204800 KiB, more than the \d+ KiB the guests may use"),
    ("guests=hello:4M guest_mem=1G", r"option 'guest_mem': 1048576 KiB is more than the \d+ KiB free for guests"),
    ("guests=hello:4M mem_states=6,4,4,1", r"option 'mem_states': '6,4,4,1' does not fall from one state to the next"),
    ("guests=hello:4M mem_states=6,4,2", r"option 'mem_states': '6,4,2' needs four numbers separated by commas"),
])
def test_bad_guest_options_are_clear_errors(cmdline, message):
    run = boot("qemu", "iso", "64M", cmdline)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()


@pytest.mark.parametrize("cpu, message", [
    ("qemu64,-svm", r"this CPU has no AMD SVM \(CPUID 8000_0001h ECX bit 2 is 0\)"),
    ("max,-npt", r"this CPU has SVM but no nested paging"),
    ("qemu64", r"this CPU has SVM but no nested paging"),
])
def test_missing_virtualisation_is_explained(cpu, message):
    run = boot("qemu", "iso", "64M", "guests=hello:4M", cpu=cpu)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_NO_VIRTUALIZATION, "no-virtualization"), run.describe()


@pytest.fixture(scope="module")
def gpa_fault_run():
    return boot("qemu", "iso", "64M", "guests=crash:4M:mode=gpa,hello:4M")


def test_a_gpa_outside_the_vm_stops_that_vm_only(gpa_fault_run):
    run = gpa_fault_run
    run.match(r"^memvisor: \[vm1:crash\] stopped: touched gpa 0x500000 outside its 4096 KiB of memory "
              r"\(rip=0x[0-9a-f]+, write\)$")
    run.match(r"^memvisor: \[vm2:hello\] finished with status 0$")
    run.match(r"^memvisor: guests: 1 ok, 0 failed, 1 stopped$")
    assert run.final == (6, "guest-stopped"), run.describe()


@pytest.fixture(scope="module")
def thrashing_run():
    # A memtest that touches 23 MiB in 16 MiB of guest memory, beside a
    # hello, with nothing to reclaim: no compressed swap area (zswap=0), no
    # balloon driver, no shared pages.
    return boot("qemu", "iso", "96M", "guests=hello:4M,memtest:24M guest_mem=16M zswap=0")


def test_overcommit_without_reclamation_is_reported_as_thrashing(thrashing_run):
    run = thrashing_run
    run.match(r"^memvisor: guest memory: 16384 KiB for 28672 KiB of guests \(overcommit 1\.75x\)$")
    run.match(r"^memvisor: \[vm2:memtest\] waits for a machine frame")
    run.match(r"^memvisor: memory state high -> (soft|hard|low) at t=\d+ ms")
    run.match(r"^memvisor: \[vm2:memtest\] stopped: thrashing: the guests' working sets do not fit in "
              r"16384 KiB and nothing is left to reclaim$")
    run.match(r"^memvisor: \[vm1:hello\] finished with status 0$")
    assert run.final == (6, "guest-stopped"), run.describe()
