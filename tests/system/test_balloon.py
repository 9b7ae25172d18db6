"""The balloon (vmm/balloon/balloon.c, guest/runtime/balloon.c) on each
backend (QEMU/SVM, Bochs/VMX): the same scenarios must give the same results
whichever hardware interface runs them. Then, under QEMU only, the monitor's
`balloon` command at boot and the balloon options' errors (a bad option
stops memvisor before any backend runs).

CYCLES_CMDLINE  the workset guest alone with page sharing off (share=off), so the
                balloon is the only thing that moves memory and every figure must
                match exactly. balloon= drives ten inflate/deflate cycles and one
                more inflate; then the workset grows its live data beyond what is
                free, and its driver deflates because the guest is short. The
                monitor's balloon, stats and check run once it has ended.
SHARED_CMDLINE  the same guest with page sharing on and fast: deflated pages are
                zero pages, sharing merges them, and inflating them later releases
                fewer machine frames than pages (the rest stay with other users).
BAD_CMDLINE     the badballoon guest: malformed batches, each refused whole, a
                ballooned page touched anyway, and the balloon's cap.
"""
import re

import pytest
from memvisor import by_backend, only_on, output_of

PAGE = 4096
MAX_PCT = 65                                   # balloon_max_pct's default
NOSPC = 28                                     # HC_E_NOSPC: the balloon is at its cap

CYCLES = 10
CYCLE_VM_MIB, TARGET_MIB = 8, 2
TARGET = TARGET_MIB * 2**20 // PAGE            # 512 pages
CAP = CYCLE_VM_MIB * 2**20 // PAGE * MAX_PCT // 100
SCHEDULE = "workset:" + ":".join([f"{TARGET_MIB}M", "0"] * CYCLES + [f"{TARGET_MIB}M"])
END_SCRIPT = 'script="balloon workset;stats workset;check" script_at=vm:workset'
CYCLES_CMDLINE = (f"guests=workset:{CYCLE_VM_MIB}M:live=1M:cycles={CYCLES}:grow=4M:share=off "
                  f"balloon={SCHEDULE} balloon_step_ms=30 stats_interval=50 {END_SCRIPT}")

SHARED_CYCLES = 2
SHARED_CMDLINE = (f"guests=workset:{CYCLE_VM_MIB}M:live=1M:cycles={SHARED_CYCLES} "
                  f"balloon=workset:{':'.join([f'{TARGET_MIB}M', '0'] * SHARED_CYCLES)} balloon_step_ms=150 "
                  f"share_scan_time=50 share_rate_max=1000000 share_scan_ghz=1000 {END_SCRIPT}")

BAD_VM_MIB = 8
BAD_CMDLINE = (f"guests=badballoon:{BAD_VM_MIB}M "
               'script="balloon badballoon;balloon badballoon 1;stats badballoon;check" script_at=vm:badballoon')

STEP_RE = re.compile(r"^memvisor: \[vm1:workset\] balloon at target (\d+) pages after \d+ ms "
                     r"\(step (\d+)/(\d+)\): balloon ([+-]\d+) pages, (\d+) frames released; "
                     r"machine free frames (\d+) -> (\d+) \(([+-]\d+)\)$")
SETTLED_RE = re.compile(r"^\[vm1:workset\] workset: balloon settled at (\d+) pages \(target (\d+)\): "
                        r"verified (\d+) live pages, mismatches (\d+)$")
DONE_RE = re.compile(r"^\[vm1:workset\] workset: done: (\d+) rounds, (\d+) balloon cycles, (\d+) live pages, "
                     r"mismatches (\d+); balloon (\d+) pages, inflated (\d+), deflated (\d+) \((\d+) when short\), "
                     r"(\d+) refused$")
MONITOR_RE = re.compile(r"^monitor: vm1 balloon: size (\d+) target (\d+) cap (\d+) pages \((\d+)%\); "
                        r"inflated (\d+) deflated (\d+) released (\d+) compressed-dropped (\d+); rejected (\d+) "
                        r"batches; touched (\d+); "
                        r"guest free (\d+) of (\d+) pages; polls (\d+)$")
MONITOR_KEYS = ("size", "target", "cap", "pct", "inflated", "deflated", "released", "compressed_dropped", "rejected",
                "touched", "guest_free", "guest_total", "polls")


STATUS_BAD_OPTION = 2
# Bochs takes longer for the workset's cycles (seconds of its virtual time per VM exit).
CYCLES_TIMEOUT = {"qemu": 60, "bochs": 180}


@pytest.fixture(scope="module")
def cycles_run(backend):
    return backend.boot("64M", CYCLES_CMDLINE, timeout=by_backend(CYCLES_TIMEOUT, backend))


@pytest.fixture(scope="module")
def shared_run(backend):
    return backend.boot("64M", SHARED_CMDLINE, timeout=by_backend(CYCLES_TIMEOUT, backend))


@pytest.fixture(scope="module")
def bad_run(backend):
    return backend.boot("64M", BAD_CMDLINE)


def monitor_balloon(run, vm):
    """The `balloon VM` line the end script printed, as a dict."""
    rows = output_of(run, f"balloon {vm}")
    m = MONITOR_RE.match(rows[0]) if rows else None
    assert m, f"balloon {vm} printed {rows}\n{run.describe()}"
    return dict(zip(MONITOR_KEYS, map(int, m.groups())))


def steps(run):
    """{step: (target, moved, released, free before, free after, free delta)}"""
    out = {}
    for m in run.find(STEP_RE):
        target, step, _, moved, released, before, after, delta = map(int, m.groups())
        out[step] = (target, moved, released, before, after, delta)
    return out


def stats_samples(run, vm="workset"):
    """[(vm figures, machine figures)] for every block of stats lines that has both.

    A block is the VM lines printed together with the machine line that
    closes it. Pairing by t alone is wrong: the run's last block, printed
    after the VM released its memory, can fall in the same millisecond as
    the one before it."""
    out, block = [], {}
    for line in run.starting("stats: "):
        fields = dict(w.split("=", 1) for w in line[len("stats: "):].split())
        if fields["vm"] != "-":
            block[fields["vm"]] = fields
            continue
        if vm in block and block[vm]["t"] == fields["t"]:
            out.append((block[vm], fields))
        block = {}
    return out


def done(run):
    m = run.match(DONE_RE)
    return dict(zip(("rounds", "cycles", "live", "mismatches", "size", "inflated", "deflated", "short",
                     "refused"), map(int, m.groups())))


class TestBalloonCycles:
    def test_workset_ends_ok_after_ten_cycles(self, cycles_run):
        cycles_run.match(r"^memvisor: \[vm1:workset\] finished with status 0$")
        d = done(cycles_run)
        assert (d["cycles"], d["mismatches"], d["refused"]) == (CYCLES, 0, 0), d
        assert cycles_run.final == (0, "guests-done"), cycles_run.describe()

    def test_live_data_verified_whenever_the_balloon_settled(self, cycles_run):
        settled = [tuple(map(int, m.groups())) for m in cycles_run.find(SETTLED_RE)]
        sizes = [s[0] for s in settled]
        assert sizes[:2 * CYCLES + 1] == [TARGET, 0] * CYCLES + [TARGET], sizes
        bad = [s for s in settled if s[3] != 0 or s[2] < 256]
        assert not bad, f"(size, target, verified, mismatches) with mismatches or too few pages: {bad}"
        cycle_lines = cycles_run.find(r"^\[vm1:workset\] workset: balloon cycle (\d+) done$")
        assert [int(m.group(1)) for m in cycle_lines] == list(range(1, CYCLES + 1))

    def test_each_step_moves_free_frames_by_exactly_what_the_balloon_moved(self, cycles_run):
        # Step 1 overlaps the guest's first touches (free frames fall for
        # those too); the last step may be cut short by the growing guest.
        found = steps(cycles_run)
        for step in range(2, 2 * CYCLES + 1):
            assert step in found, f"no line for balloon step {step}\n{cycles_run.describe()}"
            target, moved, released, before, after, delta = found[step]
            inflate = step % 2 == 1
            want = (TARGET, TARGET, TARGET) if inflate else (0, -TARGET, 0)
            assert (target, moved, released) == want, f"step {step}: {found[step]}"
            assert delta == moved == after - before, \
                f"step {step}: balloon moved {moved} pages but free frames moved {delta}"

    def test_stats_lines_balance_exactly(self, cycles_run):
        samples = [(v, m) for v, m in stats_samples(cycles_run) if int(v["balloon_inflated"]) > 0]
        assert len(samples) >= 2 * CYCLES, f"only {len(samples)} stats samples during the cycles"
        frames = {int(m["free"]) + int(v["granted"]) for v, m in samples}
        pages = {int(v["granted"]) + int(v["balloon_size"]) for v, m in samples}
        assert len(frames) == 1, f"free + granted should stay constant, seen {sorted(frames)}"
        assert len(pages) == 1, f"granted + balloon_size should stay constant, seen {sorted(pages)}"
        last = samples[-1][0]
        assert last["balloon_released"] == last["balloon_inflated"], "no page was shared: one frame each"
        assert {v["balloon_max"] for v, m in samples} == {str(CAP)}

    def test_guest_reports_its_free_memory(self, cycles_run):
        # A sample can land between the driver's move and its next report
        # (one poll later), so a settled size may show the figure from
        # before the move: the figures at the two settled sizes must hold
        # two that are exactly TARGET apart (free with the balloon empty,
        # and with it full).
        def reported(size):
            seen = {int(v["guest_free"]) for v, m in stats_samples(cycles_run)
                    if int(v["balloon_size"]) == size == int(v["balloon_target"]) and int(v["guest_free"])}
            assert seen, f"no stats sample with the balloon settled at {size}"
            return seen
        figures = reported(0) | reported(TARGET)
        assert any(f - TARGET in figures for f in figures), \
            f"no two free-memory figures {TARGET} apart: {sorted(figures)}"

    def test_short_guest_deflates_and_keeps_its_data(self, cycles_run):
        cycles_run.match(r"^\[vm1:workset\] balloon: short of memory: took back 256 pages")
        m = cycles_run.match(r"^\[vm1:workset\] workset: grew by (\d+) pages \(balloon (\d+) -> (\d+) pages\): "
                             r"verified (\d+) live pages, mismatches (\d+)$")
        grew, before, after, live, bad = map(int, m.groups())
        assert before == TARGET and after < before and bad == 0, m.group(0)
        assert done(cycles_run)["short"] == before - after

    def test_monitor_balloon_agrees_with_the_guest(self, cycles_run):
        b, d = monitor_balloon(cycles_run, "workset"), done(cycles_run)
        assert (b["size"], b["inflated"], b["deflated"]) == (d["size"], d["inflated"], d["deflated"]), (b, d)
        assert b["inflated"] == TARGET * (CYCLES + 1) and b["released"] == b["inflated"], b
        assert (b["target"], b["cap"], b["pct"], b["rejected"], b["touched"]) == (TARGET, CAP, MAX_PCT, 0, 0), b
        assert 0 < b["guest_free"] < b["guest_total"] and b["polls"] > 0, b

    def test_invariants_hold(self, cycles_run):
        assert output_of(cycles_run, "check") == ["monitor: check: 0 invariant violations"]
        cycles_run.match(r"^memvisor: \[vm1:workset\] invariants ok; released \d+ guest frames")


class TestBalloonShared:
    def test_workset_ends_ok(self, shared_run):
        d = done(shared_run)
        assert (d["cycles"], d["mismatches"]) == (SHARED_CYCLES, 0), d
        assert shared_run.final == (0, "guests-done"), shared_run.describe()

    def test_inflating_shared_pages_releases_fewer_frames(self, shared_run):
        b = monitor_balloon(shared_run, "workset")
        assert b["inflated"] == TARGET * SHARED_CYCLES, b
        assert b["released"] < b["inflated"], \
            f"the deflated (zero) pages were shared, yet every inflate freed a frame each: {b}"
        later = [s for step, s in steps(shared_run).items() if step > 1 and s[1] > 0]
        assert later and all(s[2] < s[1] for s in later), f"inflate steps after the first: {later}"

    def test_invariants_hold(self, shared_run):
        assert output_of(shared_run, "check") == ["monitor: check: 0 invariant violations"]
        shared_run.match(r"^memvisor: \[vm1:workset\] invariants ok; released \d+ guest frames")


BAD_CHECK_RE = re.compile(r"^\[vm1:badballoon\] badballoon: (\S+) expected (-?\d+) seen (-?\d+) (ok|FAIL)$")
BAD_SUMMARY_RE = re.compile(r"^\[vm1:badballoon\] badballoon: (\d+) checks, (\d+) failed; (\d+) batches refused; "
                            r"inflated (\d+) pages, deflated (\d+), touched (\d+) ballooned$")
REFUSED_RE = re.compile(r"^memvisor: \[vm1:badballoon\] balloon (inflate|deflate) of \d+ gfns refused with "
                        r"(-\d+): (.*)$")


class TestBadBalloon:
    def test_every_check_passes(self, bad_run):
        checks = bad_run.find(BAD_CHECK_RE)
        failed = [m.group(0) for m in checks if m.group(4) != "ok"]
        assert len(checks) >= 24 and not failed, "\n".join(failed) or bad_run.describe()
        m = bad_run.match(BAD_SUMMARY_RE)
        assert (int(m.group(1)), int(m.group(2))) == (len(checks), 0), m.group(0)
        bad_run.match(r"^memvisor: \[vm1:badballoon\] finished with status 0$")

    def test_each_malformed_batch_is_refused_with_its_error(self, bad_run):
        refusals = [int(m.group(2)) for m in bad_run.find(REFUSED_RE)]
        expected = [int(m.group(2)) for m in bad_run.find(BAD_CHECK_RE) if int(m.group(2)) < 0]
        # Every check that expects an error saw memvisor refuse it with that
        # error, in that order; probing the cap page by page ends in one
        # more refusal, just before the last check's.
        assert refusals == expected + [-NOSPC], (refusals, expected)
        summary = bad_run.match(BAD_SUMMARY_RE)
        assert len(refusals) == int(summary.group(3)), (len(refusals), summary.group(0))
        kinds = {m.group(3) for m in bad_run.find(REFUSED_RE)}
        for why in ("an empty batch", "more gfns than one page holds", "the batch is not page-aligned",
                    "the batch lies outside the VM", "the balloon would exceed balloon_max_pct"):
            assert why in kinds, f"no refusal for {why!r}: {sorted(kinds)}"

    def test_refused_batches_changed_nothing(self, bad_run):
        summary = bad_run.match(BAD_SUMMARY_RE)
        refused, inflated, deflated, touched = map(int, summary.groups()[2:])
        b = monitor_balloon(bad_run, "badballoon")
        assert (b["rejected"], b["inflated"], b["deflated"], b["touched"]) == (refused, inflated, deflated, touched), b
        # Every accepted page was private: one frame each, and all came back.
        assert b["released"] == b["inflated"] and b["size"] == 0, b
        assert output_of(bad_run, "check") == ["monitor: check: 0 invariant violations"]
        bad_run.match(r"^memvisor: \[vm1:badballoon\] invariants ok; released \d+ guest frames")

    def test_a_touched_ballooned_page_gets_a_zero_frame_and_a_warning(self, bad_run):
        bad_run.match(r"^memvisor: \[vm1:badballoon\] warning: touched ballooned gfn 0x[0-9a-f]+: "
                      r"it gets a fresh zero frame$")
        assert monitor_balloon(bad_run, "badballoon")["touched"] == 1

    def test_the_balloon_stops_at_its_cap(self, bad_run):
        m = bad_run.match(r"^\[vm1:badballoon\] badballoon: the balloon took (\d+) pages before its cap$")
        assert int(m.group(1)) == BAD_VM_MIB * 2**20 // PAGE * MAX_PCT // 100, m.group(0)

    def test_a_finished_vm_takes_no_target(self, bad_run):
        assert output_of(bad_run, "balloon badballoon 1") == ["monitor: error: vm1 is not running"]


# ---------------------------------------------------------------- QEMU only

AT_BOOT = ("balloon workset 1M;balloon hello 100;balloon workset;balloon workset 99M;balloon workset 6K;"
           "balloon nosuch 1;balloon")


@pytest.fixture(scope="module")
def at_boot(backend):
    return backend.boot("64M", f'guests=workset:8M:live=256K,hello:4M script="{AT_BOOT}" script_at=boot '
                               'stats_interval=10')


@only_on("qemu")
def test_monitor_sets_a_target_the_driver_reaches(at_boot):
    rows = output_of(at_boot, "balloon workset")
    assert rows[0].startswith("monitor: vm1 balloon: size 0 target 256 cap 1331 pages (65%);"), rows
    at_boot.match(r"^memvisor: \[vm1:workset\] balloon target 256 pages \(1024 KiB\), now 0: set from the monitor$")
    at_boot.match(r"^\[vm1:workset\] balloon: inflated 256 pages in \d+ us \(\d+ pages/s; hypercalls \d+ us\), "
                  r"balloon 256, target 256$")
    at_boot.match(r"^\[vm1:workset\] workset: done: .* mismatches 0; balloon 256 pages, inflated 256,")


@only_on("qemu")
def test_monitor_balloon_errors_and_listing(at_boot):
    assert output_of(at_boot, "balloon workset 99M") == \
        ["monitor: error: vm1: 25344 pages is above the balloon's cap of 1331 (balloon_max_pct=65)"]
    assert output_of(at_boot, "balloon workset 6K") == \
        ["monitor: error: usage: balloon VM PAGES|SIZE (4096, 0x1000, or whole pages as 16M)"]
    assert output_of(at_boot, "balloon nosuch 1") == ["monitor: error: no VM 'nosuch' (see vms)"]
    listing = [r for r in output_of(at_boot, "balloon") if r.startswith("monitor: ")]
    assert [r.split()[1] for r in listing] == ["vm1", "vm2"], listing


@only_on("qemu")
def test_a_guest_without_a_driver_ignores_its_target(at_boot):
    # hello has no balloon driver (it never polls): its target stays a wish.
    samples = at_boot.find(r"^stats: t=\d+ vm=hello id=2 .* balloon_size=(\d+) balloon_target=(\d+) ")
    assert samples and all(m.groups() == ("0", "100") for m in samples), [m.group(0) for m in samples]
    at_boot.match(r"^memvisor: \[vm2:hello\] finished with status 0$")


@pytest.mark.parametrize("cmdline, message", [
    ("guests=hello:4M balloon=nosuch:1M", r"option 'balloon': no VM 'nosuch' in guests="),
    ("guests=hello:4M balloon=hello:1M:zz", r"option 'balloon': not a target: 'zz'"),
    ("guests=hello:4M balloon=hello:4M", r"option 'balloon': 1024 pages for hello is above its cap of 665 pages "
                                         r"\(balloon_max_pct=65\)"),
    ("guests=hello:4M balloon_max_pct=90", r"option 'balloon_max_pct': "),
])
@only_on("qemu")
def test_bad_balloon_options_are_clear_errors(backend, cmdline, message):
    run = backend.boot("64M", cmdline)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()
