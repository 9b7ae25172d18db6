"""Checks on a boot that ran the four standard guests side by side:
    guests=hello:4M,memtest:16M,badcall:4M,crash:4M
Shared by every backend's test module (QEMU/SVM, Bochs/VMX): the same guests
must give the same results whichever hardware interface runs them.
A test module sets `guests_run` (a module-scoped fixture returning a Boot)
and subclasses GuestScenario."""
import re

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


class GuestScenario:
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
