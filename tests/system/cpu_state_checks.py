"""Checks on a boot that ran regspy role=write, regspy role=read and memtest
side by side: no register value passes from the writer to the reader (nor
is lost by the writer), XSETBV refuses bad values with #GP, memtest still
verifies, the host ends normally. Shared by the QEMU/SVM and Bochs/VMX test
modules, which provide the `spy` fixture and subclass CpuStateScenario with
the registers their CPU lets a guest set."""
import pytest

SPY = "guests=regspy:4M:role=write:ms=400,regspy:4M:role=read:ms=200:delay=50,memtest:8M"

WRITER, READER = r"^\[vm1:regspy\] regspy: ", r"^\[vm2:regspy\] regspy: "
# What every x86-64 CPU with FSGSBASE lets a guest set.
COMMON_REGISTERS = {"DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "CR2", "CR8", "XCR0",
                    "FS_BASE", "GS_BASE", "KERNEL_GS_BASE"}


class CpuStateScenario:
    registers = COMMON_REGISTERS      # subclasses add what their CPU has
    vector_state = {"x87", "SSE", "YMM_Hi128"}
    preempted = True                  # the timer takes a spinning guest off the CPU

    def test_reader_sees_no_value_of_the_writer(self, spy):
        leaks = [m.group(0) for m in spy.find(READER + r"leak: .*")]
        assert not leaks, "expected no leak, the reader saw:\n  " + "\n  ".join(leaks) + f"\n{spy.describe()}"
        spy.match(READER + r"no leak over (\d+) rounds")
        spy.match(r"^memvisor: \[vm2:regspy\] finished with status 0$")

    def test_writer_keeps_its_own_values(self, spy):
        lost = [m.group(0) for m in spy.find(WRITER + r"lost .*")]
        assert not lost, "expected the writer to keep every value, it saw:\n  " + "\n  ".join(lost)
        spy.match(WRITER + r"kept every planted value over (\d+) rounds")
        spy.match(r"^memvisor: \[vm1:regspy\] finished with status 0$")

    def test_reader_checked_every_register_the_writer_planted(self, spy):
        for verb in ("planted", "reading"):
            who = WRITER if verb == "planted" else READER
            regs = set(spy.match(who + verb + r" registers: (.*)$").group(1).split())
            vector = set(spy.match(who + verb + r" vector state: (.*)$").group(1).split())
            assert self.registers <= regs, f"{verb}: expected at least {sorted(self.registers)}, seen {sorted(regs)}"
            assert self.vector_state <= vector, f"{verb}: expected at least {sorted(self.vector_state)}, seen {sorted(vector)}"

    def test_reader_ran_while_the_writer_held_its_values(self, spy):
        if not self.preempted:
            pytest.skip("this emulator does not preempt a guest spinning with IF=0: the two run one after the other")
        # The reader's rounds (from its "reading" line to its "no leak" line)
        # overlap the time the writer holds its values (from "planted" to
        # "kept"). Which of the two first lines comes out first depends on
        # where the timer took each guest off the CPU while it printed.
        planted = spy.indices(WRITER + r"planted vector state")[0]
        kept = spy.indices(WRITER + r"kept every planted value")[0]
        reading = spy.indices(READER + r"reading vector state")[0]
        read_done = spy.indices(READER + r"no leak over")[0]
        assert reading < kept and planted < read_done, \
            f"expected the reader's lines {reading}..{read_done} to overlap the writer's held values at lines " \
            f"{planted}..{kept}\n{spy.describe()}"
        # Neither guest exits while it spins: the timer's exits took them off the CPU.
        for vm in (1, 2):
            m = spy.match(rf"^memvisor: vm{vm} regspy\s+\S+\s+exits: .* interrupt=(\d+)\b")
            assert int(m.group(1)) >= 2, f"vm{vm}: expected >= 2 timer exits while it spun, seen {m.group(1)}"

    def test_xsetbv_refuses_invalid_values_with_gp(self, spy):
        spy.match(WRITER + r"XSETBV raised #GP for every invalid value; XCR0 still 0x1$")

    def test_memtest_verifies_beside_them(self, spy):
        spy.match(r"^\[vm3:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")

    def test_host_ends_normally(self, spy):
        changed = [m.group(0) for m in spy.find(r"^memvisor: host register .* changed while guests ran: .*")]
        assert not changed, "expected the host's registers as at boot, seen:\n  " + "\n  ".join(changed)
        spy.match(r"^memvisor: host registers as at boot: DR0-DR3 DR6 DR7 CR8 KERNEL_GS_BASE XCR0$")
        spy.match(r"^memvisor: guests: 3 ok, 0 failed, 0 stopped$")
        assert spy.final == (0, "guests-done"), spy.describe()
