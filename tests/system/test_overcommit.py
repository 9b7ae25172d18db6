"""scenario=overcommit and scenario=thrash (vmm/scenario.c) on each backend
(QEMU/SVM, Bochs/VMX), and, under QEMU only, the scenario option's errors.
scenario=overcommit takes Bochs about three minutes on its own — longer
than the rest of `make test` on one core — so under Bochs it runs in `make
soak` (MEMVISOR_SLOW=1), not in `make test`; each technique it combines has
its own Bochs test (sharing, balloon, zswap, pressure)."""
import os

import pytest
from memvisor import by_backend, only_on

STATE_ORDER = ["high", "soft", "hard", "low"]
TIME_RE = (r"^memvisor: time: (\d+) ms: guest mode (\d+), exits (\d+) \(faults: first touch (\d+), compressed (\d+), "
           r"disk (\d+), other (\d+); other exits (\d+)\), background (\d+) \(policy (\d+), sharing (\d+), aging (\d+), "
           r"other (\d+)\), the rest \(setup, idle, the loop\) (\d+)$")
RECLAIMED_RE = (r"^memvisor: reclaimed: sharing (\d+) pages, balloon (\d+) frames, compression (\d+) pages "
                r"\((\d+) as one value\), swap-ins (\d+), swap \d+ pages out and \d+ in, \d+ written back from the area, "
                r"\d+ errors, waits for memory (\d+), "
                r"memory state changes (\d+)$")


# Timeouts per backend; Bochs is slower by far.
OVERCOMMIT_TIMEOUT = {"qemu": 120, "bochs": 400}
THRASH_TIMEOUT = {"qemu": 120, "bochs": 60}


@pytest.fixture(scope="module")
def overcommit(backend):
    if backend.emu == "bochs" and not os.environ.get("MEMVISOR_SLOW"):
        pytest.skip("scenario=overcommit under Bochs runs in `make soak` (MEMVISOR_SLOW=1)")
    return backend.boot("160M", "scenario=overcommit", timeout=by_backend(OVERCOMMIT_TIMEOUT, backend))


# scenario=thrash under QEMU; under Bochs the same shape scaled down (a
# quarter of the guest memory, a working set of random pages twice that),
# which reaches low and the thrashing verdict in about 9 s instead of 70.
THRASH = {"qemu": ("scenario=thrash", 16384),
          "bochs": ("guests=hello:4M,zipmix:8M:incompressible=1500:compressible=50 guest_mem=4M", 4096)}


@pytest.fixture(scope="module")
def thrash(backend):
    cmdline, guest_kib = by_backend(THRASH, backend)
    run = backend.boot("128M", cmdline, timeout=by_backend(THRASH_TIMEOUT, backend))
    run.guest_kib = guest_kib
    return run


def last_vm_stats(run):
    """Each VM's last stats line, by id, as a dict of strings."""
    last = {}
    for line in run.find(r"^stats: t=\d+ vm=(?!-)"):
        s = dict(kv.split("=", 1) for kv in line.string.split()[1:])
        last[s["id"]] = s
    return last


def state_changes(run):
    return [(m.group(1), m.group(2), int(m.group(3))) for m in
            run.find(r"^memvisor: memory state (\w+) -> (\w+) at t=(\d+) ms \((\d+) of (\d+) guest frames free\)$")]


@pytest.mark.slow_boot   # under Bochs: minutes (conftest.py hands its group out first)
class TestOvercommit:
    def test_guests_ask_two_and_a_half_times_guest_mem(self, overcommit):
        m = overcommit.match(r"^memvisor: guest memory: (\d+) KiB for (\d+) KiB of guests \(overcommit (\d+)\.(\d+)x\)$")
        assert int(m.group(2)) >= 2.5 * int(m.group(1)), m.group(0)

    def test_every_guest_finishes_with_its_checksums_verified(self, overcommit):
        overcommit.match(r"^memvisor: guests: 5 ok, 0 failed, 0 stopped$")
        assert overcommit.final == (0, "guests-done"), overcommit.describe()
        mismatches = overcommit.find(r"^\[vm\d+:\w+\] .*mismatches (\d+)")
        assert mismatches and all(m.group(1) == "0" for m in mismatches), overcommit.describe()
        assert not overcommit.containing("MISMATCH"), overcommit.describe()
        for guest in ("workset", "twins", "zipmix", "memtest"):
            overcommit.match(rf"^\[vm\d:{guest}\] .*mismatches 0")

    def test_every_technique_reclaimed_pages(self, overcommit):
        m = overcommit.match(RECLAIMED_RE)
        sharing, balloon, compression = int(m.group(1)), int(m.group(2)), int(m.group(3))
        assert sharing > 0 and balloon > 0 and compression > 0, m.group(0)

    def test_states_fall_and_rise_in_order(self, overcommit):
        changes = state_changes(overcommit)
        assert changes, overcommit.describe()
        assert changes[0][0] == "high" and changes[-1][1] == "high", changes
        for before, after, _ in changes:
            assert before != after, changes
        times = [t for _, _, t in changes]
        assert times == sorted(times), changes
        # Down the list while falling, back to high at the end.
        assert any(STATE_ORDER.index(a) > STATE_ORDER.index(b) for b, a, _ in changes), changes
        # Falling, no state is skipped: a slice ends as soon as free memory
        # crosses a threshold (policy_update_due), and one exit takes a frame
        # or two, never a whole band of them.
        skipped = [(b, a, t) for b, a, t in changes if STATE_ORDER.index(a) > STATE_ORDER.index(b) + 1]
        assert not skipped, f"states skipped on the way down: {skipped}; all changes: {changes}"

    def test_a_vm_waits_in_low_and_then_continues(self, overcommit):
        waited = overcommit.find(r"^memvisor: \[vm(\d):(\w+)\] waits for a machine frame")
        assert waited, overcommit.describe()
        for m in waited:
            overcommit.match(rf"^memvisor: \[vm{m.group(1)}:{m.group(2)}\] finished with status 0$")

    def test_balloon_targets_come_from_the_policy(self, overcommit):
        overcommit.match(r"^memvisor: \[vm\d:workset\] balloon target \d+ pages .*: memory state soft or lower$")

    def test_victims_like_a_shared_page_are_merged_not_compressed(self, overcommit):
        # The twins' zero pages (and twin pages the scanner has hinted) are
        # chosen by the clock, offered to sharing first, and merged.
        final = last_vm_stats(overcommit)
        twins = [s for s in final.values() if s["vm"] == "twins"]
        merged = sum(int(s["victims_shared"]) for s in twins)
        assert len(twins) == 2 and merged > 0, f"victims_shared of the twins: {[s['victims_shared'] for s in twins]}"
        for s in twins:
            assert int(s["victims_shared"]) <= int(s["shared"]) + int(s["cow_breaks"]), s

    def test_the_backwards_walk_of_free_pages_is_read_ahead(self, overcommit):
        # workset's prefault walks its free pages from the highest gfn down,
        # while the clock compresses them: a stream down, read ahead.
        workset = next(s for s in last_vm_stats(overcommit).values() if s["vm"] == "workset")
        assert 0 < int(workset["readahead"]) <= int(workset["swapins"]), workset

    def test_the_time_line_adds_up_to_the_run(self, overcommit):
        # The whole and its parts are all read on the TSC (vmm/time_use.h);
        # the scheduler line's milliseconds are the PIT's, which lose ticks
        # on a busy host, so they are not compared.
        m = overcommit.match(TIME_RE)
        total, guest, exits, faults, other_exits, background, steps, rest = (
            int(m.group(1)), int(m.group(2)), int(m.group(3)), list(map(int, m.group(4, 5, 6, 7))), int(m.group(8)),
            int(m.group(9)), list(map(int, m.group(10, 11, 12, 13))), int(m.group(14)))
        assert guest > 0 and faults[0] > 0 and faults[1] > 0 and steps[0] > 0, m.group(0)
        # Each sum is of the parts' ticks, each part rounded down on its own.
        assert sum(faults) + other_exits <= exits <= sum(faults) + other_exits + 5, m.group(0)
        assert sum(steps) <= background <= sum(steps) + 4, m.group(0)
        assert abs(guest + exits + background + rest - total) <= 3, m.group(0)


class TestThrash:
    def test_thrashing_is_detected_and_the_run_ends_cleanly(self, thrash):
        thrash.match(r"^memvisor: \[vm2:zipmix\] stopped: thrashing: the guests' working sets do not "
                     rf"fit in {thrash.guest_kib} KiB and nothing is left to reclaim$")
        thrash.match(r"^memvisor: \[vm1:hello\] finished with status 0$")
        thrash.match(r"^memvisor: memory state \w+ -> low")
        assert thrash.final == (6, "guest-stopped"), thrash.describe()


# ---------------------------------------------------------------- QEMU only

@only_on("qemu")
def test_scenario_and_guests_together_is_an_error(backend):
    run = backend.boot("64M", "scenario=overcommit guests=hello:4M")
    run.match(r"^memvisor: error: option 'scenario': sets guests= itself: give one or the other$")


@only_on("qemu")
def test_unknown_scenario_is_an_error(backend):
    run = backend.boot("64M", "scenario=party")
    run.match(r"^memvisor: error: option 'scenario': expected none, overcommit, thrash or swap$")
