"""Nine VMs on one CPU, two of which never exit by themselves (spin), on
each backend (QEMU/SVM, Bochs/VMX): round robin, preemption by the timer,
stats lines. Bochs delivers no external-interrupt exit while a guest runs
with IF=0, so the VMX backend preempts with the VMX-preemption timer."""
import re

import pytest

NINE = ("guests=spin:4M:ms=2000,hello:4M,memtest:8M,hello:4M,hello:4M,memtest:8M,"
        "hello:4M,badcall:4M,spin:4M:ms=200 stats_interval=50")


@pytest.fixture(scope="module")
def nine(backend):
    return backend.boot("128M", NINE)


class TestNineVms:
    def test_all_nine_finish_ok(self, nine):
        states = [m.group(3) for m in nine.find(r"^memvisor: vm(\d+) (\S+)\s+(\S+)\s+exits:")]
        assert states == ["ok"] * 9, nine.describe()
        nine.match(r"^memvisor: guests: 9 ok, 0 failed, 0 stopped$")
        assert nine.final == (0, "guests-done"), nine.describe()

    def test_a_guest_that_never_exits_is_preempted(self, nine):
        # vm1 spins without an exit; other VMs must make progress meanwhile
        # (which ones depends on the backend's pace: under Bochs the hellos
        # may end before vm1 even starts spinning).
        spin_start = nine.indices(r"^\[vm1:spin\] spin: spinning")[0]
        spin_done = nine.indices(r"^\[vm1:spin\] spin: done")[0]
        during = [l for l in nine.lines[spin_start + 1:spin_done]
                  if re.match(r"^memvisor: \[vm[2-9]:\w+\] finished with status 0$", l)]
        assert during, f"no other VM finished while vm1 spun\n{nine.describe()}"
        ids = {int(m.group(1)): int(m.group(8)) for m in
               nine.find(r"^memvisor: vm(\d+) (\S+)\s+(\S+)\s+exits: cpuid=(\d+) io=(\d+) hypercall=(\d+) "
                         r"npf=(\d+) interrupt=(\d+) cpu_ms=(\d+)$")}
        assert ids[1] >= 2, f"vm1 was taken off the CPU by {ids[1]} timer interrupts"

    def test_scheduler_switched_between_vms(self, nine):
        m = nine.match(r"^memvisor: scheduler: (\d+) slices, (\d+) switches between VMs in (\d+) ms;")
        assert int(m.group(2)) >= 9, m.group(0)

    def test_memtests_verify_with_nine_vms(self, nine):
        verified = nine.find(r"^\[vm[36]:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")
        assert len(verified) == 2, nine.describe()

    def test_stats_lines_carry_every_key(self, nine):
        lines = nine.find(r"^stats: t=(\d+) vm=(\S+) id=(\d+) (.*)$")
        assert lines, nine.describe()
        keys = {kv.split("=")[0] for kv in lines[0].group(4).split()}
        assert {"granted", "touched", "shared", "shared_saved", "zero", "balloon_size", "balloon_target",
                "compressed", "compressed_bytes", "swapins", "npf", "exits"} <= keys, keys
        machine = nine.find(r"^stats: t=\d+ vm=- free=(\d+) usable=(\d+) guest_budget=(\d+) guest_used=(\d+) "
                            r"guest_zswap=(\d+) swap_used=(\d+) swap_slots=(\d+) swap_retired=(\d+) swap_errors=(\d+) swap_writeback=(\d+) state=(high|soft|hard|low) state_changes=(\d+) shared=(\d+) shared_saved=(\d+) "
                            r"zero=(\d+) cow_breaks=(\d+) pages_scanned=(\d+) full_scans=(\d+)$")
        assert len(machine) >= 2, "one machine line per interval, and one at the end"

    def test_stats_granted_grows_with_demand_allocation(self, nine):
        # Each memtest's samples, then the frames it held when it ended: a
        # memtest may finish between two samples (its slices are long enough).
        for vm_id in (3, 6):
            granted = [int(m.group(1)) for m in nine.find(rf"^stats: t=\d+ vm=memtest id={vm_id} granted=(\d+) ")]
            end = nine.match(rf"^memvisor: \[vm{vm_id}:memtest\] invariants ok; released (\d+) guest frames")
            granted.append(int(end.group(1)))
            assert granted == sorted(granted), f"vm{vm_id}: granted went down while memtest only touched: {granted}"
            assert granted[-1] > granted[0], f"vm{vm_id}: granted did not grow: {granted}"
