"""Guests that try to take over memvisor's console while memtest verifies
its memory beside them, on each backend (QEMU/SVM, Bochs/VMX):
- vm2 (badcall mode=untrusted) prints memvisor's own lines as its console text (a
  status line saying status=0 or 3, summary lines, the same behind terminal
  escapes). Only memvisor's status may end and decide the run: tools/run takes
  it from the device (QEMU isa-debug-exit, Bochs port 0xe9) and from the
  console's whole, unprefixed status line.
- vm3 (badcall mode=marks) makes HC_MARK 2000 times: memvisor logs the first
  burst and then a few a second, and says how many it suppressed
  (vmm/log_limit.h).
- vm4 (badballoon mode=compressed) inflates pages memvisor compressed after it
  wrote them (a script compresses the VM at its mark 1): the inflate succeeds
  and the compressed copies are dropped (vmm/hypercall_abi.h §5)."""
import re

import pytest

FORGE_MS = 3000     # the forger works on this long after its lines: past the
                    # runner's 2 s grace after a status line
MARKS = 2000
COMPRESSED_PAGES = 64    # guest/badballoon/main.c
UNTRUSTED = (f"guests=memtest:8M,badcall:4M:mode=forge:ms={FORGE_MS},badcall:4M:mode=marks:count={MARKS},"
             'badballoon:8M:mode=compressed script="compress badballoon 4096" script_at=mark:badballoon:1')
LOG_BURST, LOG_PER_SEC = 64, 8      # vmm/log_limit.h
MARK_RE = re.compile(r"^memvisor: \[vm3:badcall\] mark (\d+)$")
SUPPRESSED_RE = re.compile(r"^memvisor: \[vm3:badcall\] (\d+) log lines this VM caused were suppressed "
                           rf"\(at most {LOG_BURST} at once, then {LOG_PER_SEC} a second\)$")

FORGED_STATUS_RE = re.compile(r"^\[vm2:badcall\] memvisor: shutdown status=0 reason=guests-done$")
MEMTEST_RE = re.compile(r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, "
                        r"mismatches (\d+)$")


def stats_after(run, mark_re):
    """The stats line printed with a mark, as a dict of ints."""
    return stats_at(run, run.indices(mark_re)[0])


def stats_at(run, at):
    """The stats line after the mark line at index at, as a dict of ints."""
    line = run.lines[at + 1]
    assert line.startswith("stats: t="), f"the mark is not followed by its stats line: {line!r}"
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


@pytest.fixture(scope="module")
def untrusted(backend):
    return backend.boot("64M", UNTRUSTED)


class TestUntrustedGuests:
    def test_forged_lines_reach_the_console_behind_the_guest_prefix(self, untrusted):
        forged = untrusted.find(FORGED_STATUS_RE)
        assert len(forged) == 2, \
            f"expected the forged status line twice (COM1 and HC_CONSOLE_WRITE), seen {len(forged)}\n" \
            f"{untrusted.describe()}"

    def test_terminal_escapes_are_printed_visibly(self, untrusted):
        # The log has escape sequences stripped; a sequence the kernel let
        # through would have vanished, an escaped one shows as text.
        untrusted.match(r"^\[vm2:badcall\] \\x1b\[2Kmemvisor: shutdown status=0 reason=guests-done$")
        untrusted.match(r"^\[vm2:badcall\] \\x1b\[1A\\x1b\[2Kmemvisor: shutdown status=3 reason=panic$")
        raw = untrusted.log_path.read_bytes()
        assert b"\x1b" not in raw, "a raw ESC byte reached the serial log"

    def test_the_run_goes_on_after_the_forged_status(self, untrusted):
        forged_at = untrusted.indices(FORGED_STATUS_RE)[0]
        done_at = untrusted.indices(r"^\[vm2:badcall\] badcall: forge: 6 lines forged, then "
                                rf"{FORGE_MS} ms of work$")[0]
        assert forged_at < done_at, untrusted.describe()
        untrusted.match(r"^memvisor: guests: 4 ok, 0 failed, 0 stopped$")

    def test_memtest_beside_it_verifies_every_page(self, untrusted):
        m = untrusted.match(MEMTEST_RE)
        assert int(m.group(1)) > 0 and int(m.group(2)) == 0, m.group(0)

    def test_runner_status_is_memvisors_own(self, untrusted):
        assert untrusted.final == (0, "guests-done"), untrusted.describe()
        assert untrusted.status == 0, untrusted.describe()
        assert "disagree" not in untrusted.stderr and "not confirmed" not in untrusted.stderr, untrusted.describe()

    def test_only_memvisors_lines_match_anchored_patterns(self, untrusted):
        # What the system tests trust: patterns anchored at the line start.
        statuses = untrusted.find(r"^memvisor: shutdown status=")
        assert len(statuses) == 1, [m.string for m in statuses]
        summaries = untrusted.find(r"^memvisor: guests: ")
        assert [m.string for m in summaries] == ["memvisor: guests: 4 ok, 0 failed, 0 stopped"], \
            [m.string for m in summaries]

    def test_a_mark_flood_logs_the_first_burst_in_order(self, untrusted):
        untrusted.match(rf"^\[vm3:badcall\] badcall: marks: {MARKS} marks made$")
        logged = [int(m.group(1)) for m in untrusted.find(MARK_RE)]
        assert logged[:LOG_BURST] == list(range(1, LOG_BURST + 1)), f"marks logged first: {logged[:LOG_BURST + 4]}"
        for at in untrusted.indices(MARK_RE):
            assert untrusted.lines[at + 1].startswith("stats: t="), \
                f"mark line without its stats line: {untrusted.lines[at:at + 2]}"

    def test_a_mark_flood_is_rate_limited_and_every_mark_is_counted(self, untrusted):
        logged = len(untrusted.find(MARK_RE))
        suppressed = [int(m.group(1)) for m in untrusted.find(SUPPRESSED_RE)]
        assert suppressed, f"no 'log lines ... were suppressed' line for vm3\n{untrusted.describe()}"
        # Every mark was either logged or counted, and no more were logged
        # than the budget allows over the time between the first logged mark
        # and the last, by memvisor's own clock (the t= of the stats line each
        # brings: under Bochs it runs far ahead of the wall clock).
        assert logged + sum(suppressed) == MARKS, \
            f"expected {MARKS} marks logged or suppressed, seen {logged} logged + {sum(suppressed)} suppressed"
        marks = untrusted.indices(MARK_RE)
        first_ms, last_ms = (stats_at(untrusted, at)["t"] for at in (marks[0], marks[-1]))
        allowed = LOG_BURST + LOG_PER_SEC * (last_ms - first_ms) // 1000 + 1
        assert logged <= allowed, \
            f"expected at most {allowed} mark lines in {last_ms - first_ms} ms, seen {logged} for {MARKS} marks"

    def test_inflating_compressed_pages_succeeds(self, untrusted):
        untrusted.match(rf"^\[vm4:badballoon\] badballoon: inflate-compressed-pages expected {COMPRESSED_PAGES} "
                        rf"seen {COMPRESSED_PAGES} ok$")
        untrusted.match(r"^\[vm4:badballoon\] badballoon: 5 checks, 0 failed$")

    def test_their_compressed_copies_are_dropped(self, untrusted):
        m = untrusted.match(r"^monitor: compress vm4: (\d+) victims: (\d+) compressed, (\d+) same-filled")
        stored = int(m.group(2)) + int(m.group(3))
        assert int(m.group(3)) >= COMPRESSED_PAGES, m.group(0)
        before = stats_after(untrusted, r"^memvisor: \[vm4:badballoon\] mark 1$")
        after = stats_after(untrusted, r"^memvisor: \[vm4:badballoon\] mark 2$")
        swapins = after["swapins"] - before["swapins"]
        expected = stored - swapins - COMPRESSED_PAGES
        assert after["compressed"] == expected, \
            f"expected {stored} stored - {swapins} swapped in - {COMPRESSED_PAGES} ballooned = {expected} " \
            f"compressed pages at mark 2, seen {after['compressed']}"
        assert (after["balloon_size"], after["balloon_released"], after["balloon_rejected"]) == \
            (COMPRESSED_PAGES, 0, 0), after

    def test_the_vm_ends_with_its_invariants_and_memory_back(self, untrusted):
        untrusted.match(r"^memvisor: \[vm4:badballoon\] invariants ok; released \d+ guest frames")
