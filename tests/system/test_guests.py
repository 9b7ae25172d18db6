"""The four standard guests side by side,
    guests=hello:4M,memtest:16M,badcall:4M,crash:4M
on QEMU/SVM, Bochs/VMX and memvisor.efi started by OVMF's UEFI shell (the
guest images arrive as files in \\modules\\ instead of GRUB modules): the
same guests must give the same results whichever hardware interface runs
them. Then the guest-related errors: unknown image, bad size, machine too
small, missing SVM / NPT (QEMU's CPU models), missing EPT / unrestricted
guest (Bochs' models), and a second VMX model's in-kernel backend tests."""
import re
from pathlib import Path

import pytest
from memvisor import boot, only_on

STANDARD_GUESTS = "guests=hello:4M,memtest:16M,badcall:4M,crash:4M"
STATUS_GUEST_STOPPED = 6

SUMMARY_RE = re.compile(r"^memvisor: vm(\d+) (\S+)\s+(\S+)\s+exits: cpuid=(\d+) io=(\d+) "
                        r"hypercall=(\d+) npf=(\d+) interrupt=(\d+) cpu_ms=(\d+)$")


def summary(run):
    """{name: (state, {exit: count})} from the per-VM summary lines."""
    out = {}
    for m in run.find(SUMMARY_RE):
        counts = dict(zip(("cpuid", "io", "hypercall", "npf", "interrupt"), map(int, m.groups()[3:])))
        out[m.group(2)] = (m.group(3), counts)
    return out


@pytest.fixture(scope="module")
def guests_run(backend):
    return backend.boot("128M", STANDARD_GUESTS)


@only_on("qemu", "bochs", "ovmf_efi")
class TestStandardGuests:
    def test_backend_is_the_one_the_cpu_offers(self, guests_run, backend):
        # QEMU and OVMF offer AMD SVM with nested paging; Bochs' Skylake-X Intel VT-x.
        if backend.isa == "svm":
            guests_run.match(r"^memvisor: svm: SVM with nested paging, \d+ ASIDs")
        else:
            guests_run.match(r"^memvisor: vmx: ")

    def test_boot_line_says_how_memvisor_was_started(self, guests_run, backend):
        guests_run.match(rf"^memvisor: boot={backend.boot_path} ")

    def test_hello_greets_with_its_vm_info(self, guests_run):
        guests_run.match(r"^\[vm1:hello\] hello: hello from vm 1 \(hello\), 4096 KiB of RAM, "
                         r"hypervisor=memvisor$")
        guests_run.match(r"^memvisor: \[vm1:hello\] finished with status 0$")

    def test_cpuid_shows_a_hypervisor_and_hides_svm_and_vmx(self, guests_run):
        guests_run.match(r"^\[vm1:hello\] hello: cpuid hypervisor=1 vmx=0 svm=0$")

    def test_memtest_verifies_every_page_through_its_own_page_tables(self, guests_run):
        touched = guests_run.match(r"^\[vm2:memtest\] memtest: touched (\d+) pages \(\d+ KiB\) at gva 0x([0-9a-f]+)$")
        pages, gva = int(touched.group(1)), int(touched.group(2), 16)
        assert pages > 3000, f"memtest touched only {pages} pages of 16 MiB"
        assert gva >= 1 << 32, f"memtest's region should sit at a high gva != gpa, seen {gva:#x}"
        verified = guests_run.match(r"^\[vm2:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, "
                                    r"mismatches (\d+)$")
        assert (int(verified.group(1)), int(verified.group(2))) == (pages, 0), guests_run.describe()
        guests_run.match(r"^memvisor: \[vm2:memtest\] finished with status 0$")

    def test_memtest_memory_arrives_by_demand_faults(self, guests_run):
        pages = int(guests_run.match(r"^\[vm2:memtest\] memtest: touched (\d+) pages").group(1))
        state, exits = summary(guests_run)["memtest"]
        assert exits["npf"] >= pages, f"expected >= {pages} nested page faults, seen {exits['npf']}"

    def test_badcall_gets_an_error_for_every_bad_hypercall(self, guests_run):
        checks = guests_run.find(r"^\[vm3:badcall\] badcall: (\S+) expected (-?\d+) seen (-?\d+) (ok|FAIL)$")
        assert len(checks) >= 8, guests_run.describe()
        failed = [m.group(0) for m in checks if m.group(4) != "ok"]
        assert not failed, "\n".join(failed)
        guests_run.match(r"^\[vm3:badcall\] badcall: \d+ checks, 0 failed$")

    def test_crash_is_stopped_alone_naming_reason_and_rip(self, guests_run):
        guests_run.match(r"^memvisor: \[vm4:crash\] stopped: triple fault \(shutdown\) at rip=0x[0-9a-f]+$")
        states = {name: s for name, (s, _) in summary(guests_run).items()}
        assert states == {"hello": "ok", "memtest": "ok", "badcall": "ok", "crash": "stopped"}, states

    def test_final_status_reports_the_stopped_guest(self, guests_run):
        guests_run.match(r"^memvisor: guests: 3 ok, 0 failed, 1 stopped$")
        assert guests_run.final == (STATUS_GUEST_STOPPED, "guest-stopped"), guests_run.describe()
        assert guests_run.status == STATUS_GUEST_STOPPED, guests_run.describe()

    def test_guest_lines_are_whole(self, guests_run):
        # Every guest line carries exactly one prefix at its start: no line
        # was interleaved with another VM's or the hypervisor's.
        for line in guests_run.lines:
            assert line.count("[vm") <= 1, f"interleaved line: {line!r}"

    def test_each_vm_ends_with_invariants_checked_and_memory_returned(self, guests_run):
        released = guests_run.find(r"^memvisor: \[vm(\d):(\w+)\] invariants ok; released (\d+) guest frames "
                                   r"\((\d+) frames in all\)$")
        assert sorted(m.group(2) for m in released) == ["badcall", "crash", "hello", "memtest"], \
            guests_run.describe()
        for m in released:
            assert int(m.group(4)) > int(m.group(3)), f"{m.group(2)}: tables, PMAP and VMCB come back too"


# ---------------------------------------------------------------- QEMU only

# The guest images in the order boot/grub.cfg loads them (selftest is not one).
GUEST_IMAGES = [m for m in re.findall(r"^\s*module2 \S+ (\S+)$",
                                      (Path(__file__).resolve().parents[2] / "boot/grub.cfg").read_text(),
                                      re.MULTILINE) if m != "selftest"]

STATUS_BAD_OPTION = 2
STATUS_NO_VIRTUALIZATION = 7


@pytest.mark.parametrize("cmdline, message", [
    ("guests=nosuch:4M", r"option 'guests': no guest image 'nosuch' \(images: " + re.escape(", ".join(GUEST_IMAGES)) + r"\)"),
    ("guests=hello:12Q", r"option 'guests': '12Q' is not a size for hello"),
    ("guests=hello", r"option 'guests': 'hello' needs a memory size"),
    ("guests=hello:1M", r"option 'guests': hello:1M: memory must be a multiple of 4K between 2M and 64G"),
    ("guests=memtest:200M", r"option 'guests': memtest needs 204800 KiB, more than the \d+ KiB the guests may use"),
    ("guests=hello:4M guest_mem=1G", r"option 'guest_mem': 1048576 KiB is more than the \d+ KiB free for guests"),
    ("guests=hello:4M mem_states=6,4,4,1", r"option 'mem_states': '6,4,4,1' does not fall from one state to the next"),
    ("guests=hello:4M mem_states=6,4,2", r"option 'mem_states': '6,4,2' needs four numbers separated by commas"),
])
@only_on("qemu")
def test_bad_guest_options_are_clear_errors(backend, cmdline, message):
    run = backend.boot("64M", cmdline)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()


@pytest.mark.parametrize("cpu, message", [
    ("qemu64,-svm", r"this CPU has no AMD SVM \(CPUID 8000_0001h ECX bit 2 is 0\)"),
    ("max,-npt", r"this CPU has SVM but no nested paging"),
    ("qemu64", r"this CPU has SVM but no nested paging"),
])
@only_on("qemu")
def test_missing_virtualisation_is_explained(backend, cpu, message):
    run = boot(backend.emu, backend.image, "64M", "guests=hello:4M", cpu=cpu)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_NO_VIRTUALIZATION, "no-virtualization"), run.describe()


@pytest.fixture(scope="module")
def gpa_fault_run(backend):
    return backend.boot("64M", "guests=crash:4M:mode=gpa,hello:4M")


@only_on("qemu")
def test_a_gpa_outside_the_vm_stops_that_vm_only(gpa_fault_run):
    run = gpa_fault_run
    run.match(r"^memvisor: \[vm1:crash\] stopped: touched gpa 0x500000 outside its 4096 KiB of memory "
              r"\(rip=0x[0-9a-f]+, write\)$")
    run.match(r"^memvisor: \[vm2:hello\] finished with status 0$")
    run.match(r"^memvisor: guests: 1 ok, 0 failed, 1 stopped$")
    assert run.final == (6, "guest-stopped"), run.describe()


@pytest.fixture(scope="module")
def thrashing_run(backend):
    # A memtest that touches 23 MiB in 16 MiB of guest memory, beside a
    # hello, with nothing to reclaim: no compressed swap area (zswap=0), no
    # balloon driver, no shared pages.
    return backend.boot("96M", "guests=hello:4M,memtest:24M guest_mem=16M zswap=0")


@only_on("qemu")
def test_overcommit_without_reclamation_is_reported_as_thrashing(thrashing_run):
    run = thrashing_run
    run.match(r"^memvisor: guest memory: 16384 KiB for 28672 KiB of guests \(overcommit 1\.75x\)$")
    run.match(r"^memvisor: \[vm2:memtest\] waits for a machine frame")
    run.match(r"^memvisor: memory state high -> (soft|hard|low) at t=\d+ ms")
    run.match(r"^memvisor: \[vm2:memtest\] stopped: thrashing: the guests' working sets do not fit in "
              r"16384 KiB and nothing is left to reclaim$")
    run.match(r"^memvisor: \[vm1:hello\] finished with status 0$")
    assert run.final == (6, "guest-stopped"), run.describe()


# ---------------------------------------------------------------- Bochs only

@pytest.fixture(scope="module")
def haswell(backend):
    # A second model with EPT and unrestricted guest: the in-kernel tests
    # (backend, vmx) and a guest.
    return boot(backend.emu, backend.image, "64M", "test=backend,vmx,trap", cpu="corei7_haswell_4770")


@only_on("bochs")
def test_second_vmx_model_passes_the_backend_tests(haswell):
    haswell.match(r"^memvisor: tests: \d+ passed, 0 failed$")
    assert not haswell.containing("# SKIP no usable virtualisation backend"), haswell.describe()
    assert haswell.final == (0, "tests-passed"), haswell.describe()


@pytest.mark.parametrize("cpu, message", [
    ("core2_penryn_t9600", r"this CPU has VT-x but no EPT \(IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 1 is 0\)"),
    ("corei5_lynnfield_750", r"this CPU has VT-x and EPT but no unrestricted guest"),
])
@only_on("bochs")
def test_models_without_ept_or_unrestricted_guest_are_explained(backend, cpu, message):
    run = boot(backend.emu, backend.image, "64M", "guests=hello:4M", cpu=cpu)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_NO_VIRTUALIZATION, "no-virtualization"), run.describe()
