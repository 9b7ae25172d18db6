"""Active memory by sampling (vmm/policy/active.c), on each backend
(QEMU/SVM, Bochs/VMX): a memtest writes all its test pages, then reads one
word of each of exactly K of them, again and again (hot=K), and marks the
end of that phase (HC_MARK 1, which prints its stats line). Every period
memvisor unmaps a random sample of the VM's resident pages and counts
those touched again; the estimate, smoothed, is `active` in the stats
lines and the monitor's `vms`. At the mark it is within 10% of K, for two
K (a quarter and three quarters of the test pages on QEMU, a third and
four fifths on Bochs), while `granted` — all the pages it holds — stays at
the whole region; and memtest verifies every page afterwards.

The sample is 1000 pages a period under QEMU and 400 under Bochs, not the
default 100: the touched fraction f of n samples spreads by
sqrt(f (1 - f) / n), 17% of a quarter of the pages with 100 per period, 9%
with 400, before the averages narrow it (tests/unit/test_active.c measures
both). The guest's own runtime touches a few pages too (its code, stack,
checksums and page tables: about 10 beside K=384), so the estimate sits a
little above K; under QEMU with 400 samples one run in several landed just
past 10%, with 1000 four runs gave 392-397. Periods are short
(active_period_ms) so that the averages settle within the hot phase. A
period is the VM's own CPU time, so there are as many under Bochs; under
QEMU the TSC is the host's clock, and a host too busy to run QEMU for a
whole period makes it look idle (the estimate falls for as long)."""
import re

import pytest
from memvisor import by_backend, output_of

TOLERANCE = 0.10
# (memtest's memory and test region, K values, period ms, stats ms, hot phase
# ms, timeout) per backend. The hot phase lasts 40 periods and more: the
# first periods, while memtest writes every page, can put the slow average
# near all of them, and it closes 1/8 of the distance a period (active.h).
SCENARIO = {"qemu": ("8M", "6M", (384, 1152), 100, 500, 5000, 60),
            "bochs": ("6M", "3M", (256, 640), 100, 500, 4000, 120)}
SAMPLES = {"qemu": 1000, "bochs": 400}
MARK_STATS_RE = re.compile(r"^stats: t=\d+ vm=memtest id=1 granted=(\d+) touched=\d+ active=(\d+) ")
VMS_ROW_RE = re.compile(r"^  1\s+memtest\s+running\s+\d+\s+-?\d+\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s")


def cmdline(backend, k):
    mem, touch, _, period, stats, hot_ms, _ = by_backend(SCENARIO, backend)
    samples = by_backend(SAMPLES, backend)
    return (f"guests=memtest:{mem}:touch={touch}:hot={k}:hot_ms={hot_ms}:passes=1 active_samples={samples} "
            f"active_period_ms={period} stats_interval={stats} script=vms script_at=mark:memtest:1")


@pytest.fixture(scope="module", params=[0, 1], ids=["small_k", "large_k"])
def sampled(request, backend):
    k = by_backend(SCENARIO, backend)[2][request.param]
    run = backend.boot("64M", cmdline(backend, k), timeout=by_backend(SCENARIO, backend)[6])
    run.k = k
    return run


def at_mark(run):
    """(granted, active) of the stats line the mark printed."""
    marks = run.indices(r"^memvisor: \[vm1:memtest\] mark 1$")
    assert marks, run.describe()
    m = MARK_STATS_RE.match(run.lines[marks[0] + 1])
    assert m, f"no stats line after the mark: {run.lines[marks[0] + 1]!r}\n{run.describe()}"
    return int(m.group(1)), int(m.group(2))


class TestActiveMemory:
    def test_estimate_is_within_10_percent_of_the_working_set(self, sampled):
        granted, active = at_mark(sampled)
        k = sampled.k
        assert abs(active - k) <= TOLERANCE * k, \
            f"expected active within {TOLERANCE:.0%} of K={k} pages, saw {active} (granted {granted})"

    def test_granted_is_the_whole_region_not_the_working_set(self, sampled):
        granted, _ = at_mark(sampled)
        touch_pages = int(by_backend(SCENARIO, sampled.backend)[1][:-1]) * 256
        assert granted >= touch_pages > sampled.k, f"granted {granted}, region {touch_pages}, K={sampled.k}"

    def test_monitor_vms_shows_the_estimate_the_settings_and_the_entitlement(self, sampled):
        rows = output_of(sampled, "vms")
        m = VMS_ROW_RE.match(rows[1])
        assert m, rows
        shares, reserved, limit, active_kib, entitled_kib = map(int, m.groups())
        mem_kib = int(by_backend(SCENARIO, sampled.backend)[0][:-1]) * 1024
        assert (shares, reserved, limit) == (round(1000 * mem_kib / (1 << 20)) or 1, 0, mem_kib), rows
        # Alone, with all the free memory as its budget: entitled to its limit.
        assert entitled_kib == limit, rows
        assert abs(active_kib / 4 - sampled.k) <= TOLERANCE * sampled.k, \
            f"expected activeKiB within {TOLERANCE:.0%} of {sampled.k * 4}, saw {active_kib}: {rows}"

    def test_memtest_verifies_every_page(self, sampled):
        sampled.match(r"^\[vm1:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")
        assert sampled.final == (0, "guests-done"), sampled.describe()
