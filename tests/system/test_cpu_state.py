"""No CPU state passes between VMs: regspy role=write, regspy role=read and
memtest side by side, on QEMU/SVM, Bochs/VMX and Bochs/SVM. No register
value passes from the writer to the reader (nor is lost by the writer),
XSETBV refuses bad values with #GP, memtest still verifies, the host ends
normally.

What a guest can set depends on the CPU model (REGISTERS, VECTOR_STATE):
QEMU's -cpu max also lets it set PKRU and enable MPX; Bochs' Skylake-X has
AVX-512. Bochs' Ryzen is the one emulator here whose SVM honours the XSETBV
intercept (QEMU's TCG ignores it), so memvisor's XSETBV emulation and #GP
injection run on the SVM backend too; Bochs makes no INTR exit while the
guest runs with IF=0, so there the writer ends before the reader starts and
the reader looks for what the ended VM left behind (PREEMPTED)."""
import pytest
from memvisor import by_backend, only_on

SPY = "guests=regspy:4M:role=write:ms=400,regspy:4M:role=read:ms=200:delay=50,memtest:8M"

WRITER, READER = r"^\[vm1:regspy\] regspy: ", r"^\[vm2:regspy\] regspy: "
# What every x86-64 CPU with FSGSBASE lets a guest set.
COMMON_REGISTERS = {"DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "CR2", "CR8", "XCR0",
                    "FS_BASE", "GS_BASE", "KERNEL_GS_BASE"}


# What each backend's CPU model lets a guest set, at least.
REGISTERS = {"qemu": COMMON_REGISTERS | {"PKRU"}, "bochs": COMMON_REGISTERS, "bochs_svm": COMMON_REGISTERS}
VECTOR_STATE = {"qemu": {"x87", "SSE", "YMM_Hi128", "BNDREGS"},
                "bochs": {"x87", "SSE", "YMM_Hi128", "opmask", "ZMM_Hi256", "Hi16_ZMM"},
                "bochs_svm": {"x87", "SSE", "YMM_Hi128"}}
# Whether the timer takes a guest spinning with IF=0 off the CPU.
PREEMPTED = {"qemu": True, "bochs": True, "bochs_svm": False}

pytestmark = only_on("qemu", "bochs", "bochs_svm")


@pytest.fixture(scope="module")
def spy(backend):
    return backend.boot("64M", SPY)


class TestCpuState:
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
            registers, vector_state = by_backend(REGISTERS, spy.backend), by_backend(VECTOR_STATE, spy.backend)
            assert registers <= regs, f"{verb}: expected at least {sorted(registers)}, seen {sorted(regs)}"
            assert vector_state <= vector, f"{verb}: expected at least {sorted(vector_state)}, seen {sorted(vector)}"

    def test_reader_ran_while_the_writer_held_its_values(self, spy):
        if not by_backend(PREEMPTED, spy.backend):
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
