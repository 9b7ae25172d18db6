"""Checks on a boot where one VM's appetite meets another VM's modest
needs: a `hog` fills more memory than guest_mem with random (incompressible)
data and keeps rewriting it, beside a memtest whose working set fits in its
fair share of guest_mem. Compression takes from the VM above its share
first and only idle pages from the others (vmm/policy/policy.c), so memtest
finishes; the hog, whose own demand cannot be met, is the one stopped, with
the reason said (which VM is held responsible: also tests/kernel/policy_test.c).
Shared by the QEMU/SVM and Bochs/VMX
modules, which provide the `pressure` fixture and subclass
PressureScenario."""
import re

STOPPED_RE = re.compile(r"^memvisor: \[vm2:hog\] stopped: thrashing: (.*)$")


class PressureScenario:
    def test_memtest_finishes_with_every_page_verified(self, pressure):
        pressure.match(r"^\[vm1:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")
        pressure.match(r"^memvisor: \[vm1:memtest\] finished with status 0$")
        assert not pressure.find(r"^memvisor: \[vm1:memtest\] stopped"), pressure.describe()

    def test_only_the_hog_is_stopped_and_the_reason_is_said(self, pressure):
        m = pressure.match(STOPPED_RE)
        assert m.group(1).endswith("nothing is left to reclaim"), m.group(0)
        pressure.match(r"^memvisor: guests: 1 ok, 0 failed, 1 stopped$")
        assert pressure.final == (6, "guest-stopped"), pressure.describe()

    # Where memtest runs long enough (QEMU), the hog is stopped while it
    # still runs, held responsible as the VM over its fair share.
    stopped_while_memtest_runs = False

    def test_the_hog_is_stopped_as_the_vm_over_its_fair_share(self, pressure):
        if not self.stopped_while_memtest_runs:
            return
        stop = pressure.indices(STOPPED_RE)[0]
        done = pressure.indices(r"^memvisor: \[vm1:memtest\] finished")[0]
        assert stop < done, f"the hog was stopped at line {stop}, after memtest ended (line {done})"
        m = pressure.match(r"^memvisor: \[vm2:hog\] stopped: thrashing: it holds (\d+) KiB, over its fair share "
                           r"of (\d+) KiB of (\d+) KiB, and wants more; nothing is left to reclaim$")
        held, share, budget = map(int, m.groups())
        assert held > share and share * 2 == budget, m.group(0)

    def test_memory_ran_low(self, pressure):
        pressure.match(r"^memvisor: memory state hard -> low at t=\d+ ms")

    def test_the_hog_never_saw_its_data_change(self, pressure):
        assert not pressure.find(r"^\[vm2:hog\] hog: page \d+ changed"), pressure.describe()
