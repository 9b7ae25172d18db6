"""Checks on a boot in which guests try to take over memvisor's console while
memtest verifies its memory beside them:
- vm2 (badcall mode=forge) prints memvisor's own lines as its console text (a
  status line saying status=0 or 3, summary lines, the same behind terminal
  escapes). Only memvisor's status may end and decide the run: tools/run takes
  it from the device (QEMU isa-debug-exit, Bochs port 0xe9) and from the
  console's whole, unprefixed status line.
- vm3 (badcall mode=marks) makes HC_MARK 2000 times: memvisor logs the first
  burst and then a few a second, and says how many it suppressed
  (vmm/log_limit.h).
Shared by test_forge_qemu.py and test_forge_bochs.py, which provide the `forge`
fixture and subclass ForgeScenario."""
import re

FORGE_MS = 3000     # the forger works on this long after its lines: past the
                    # runner's 2 s grace after a status line
MARKS = 2000
FORGE = f"guests=memtest:8M,badcall:4M:mode=forge:ms={FORGE_MS},badcall:4M:mode=marks:count={MARKS}"
LOG_BURST, LOG_PER_SEC = 64, 8      # vmm/log_limit.h
MARK_RE = re.compile(r"^memvisor: \[vm3:badcall\] mark (\d+)$")
SUPPRESSED_RE = re.compile(r"^memvisor: \[vm3:badcall\] (\d+) log lines this VM caused were suppressed "
                           rf"\(at most {LOG_BURST} at once, then {LOG_PER_SEC} a second\)$")

FORGED_STATUS_RE = re.compile(r"^\[vm2:badcall\] memvisor: shutdown status=0 reason=guests-done$")
MEMTEST_RE = re.compile(r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, "
                        r"mismatches (\d+)$")


class ForgeScenario:
    def test_forged_lines_reach_the_console_behind_the_guest_prefix(self, forge):
        forged = forge.find(FORGED_STATUS_RE)
        assert len(forged) == 2, \
            f"expected the forged status line twice (COM1 and HC_CONSOLE_WRITE), seen {len(forged)}\n" \
            f"{forge.describe()}"

    def test_terminal_escapes_are_printed_visibly(self, forge):
        # The log has escape sequences stripped; a sequence the kernel let
        # through would have vanished, an escaped one shows as text.
        forge.match(r"^\[vm2:badcall\] \\x1b\[2Kmemvisor: shutdown status=0 reason=guests-done$")
        forge.match(r"^\[vm2:badcall\] \\x1b\[1A\\x1b\[2Kmemvisor: shutdown status=3 reason=panic$")
        raw = forge.log_path.read_bytes()
        assert b"\x1b" not in raw, "a raw ESC byte reached the serial log"

    def test_the_run_goes_on_after_the_forged_status(self, forge):
        forged_at = forge.indices(FORGED_STATUS_RE)[0]
        done_at = forge.indices(r"^\[vm2:badcall\] badcall: forge: 6 lines forged, then "
                                rf"{FORGE_MS} ms of work$")[0]
        assert forged_at < done_at, forge.describe()
        forge.match(r"^memvisor: guests: 3 ok, 0 failed, 0 stopped$")

    def test_memtest_beside_it_verifies_every_page(self, forge):
        m = forge.match(MEMTEST_RE)
        assert int(m.group(1)) > 0 and int(m.group(2)) == 0, m.group(0)

    def test_runner_status_is_memvisors_own(self, forge):
        assert forge.final == (0, "guests-done"), forge.describe()
        assert forge.status == 0, forge.describe()
        assert "disagree" not in forge.stderr and "not confirmed" not in forge.stderr, forge.describe()

    def test_only_memvisors_lines_match_anchored_patterns(self, forge):
        # What the system tests trust: patterns anchored at the line start.
        statuses = forge.find(r"^memvisor: shutdown status=")
        assert len(statuses) == 1, [m.string for m in statuses]
        summaries = forge.find(r"^memvisor: guests: ")
        assert [m.string for m in summaries] == ["memvisor: guests: 3 ok, 0 failed, 0 stopped"], \
            [m.string for m in summaries]

    def test_a_mark_flood_logs_the_first_burst_in_order(self, forge):
        forge.match(rf"^\[vm3:badcall\] badcall: marks: {MARKS} marks made$")
        logged = [int(m.group(1)) for m in forge.find(MARK_RE)]
        assert logged[:LOG_BURST] == list(range(1, LOG_BURST + 1)), f"marks logged first: {logged[:LOG_BURST + 4]}"
        for at in forge.indices(MARK_RE):
            assert forge.lines[at + 1].startswith("stats: t="), \
                f"mark line without its stats line: {forge.lines[at:at + 2]}"

    def test_a_mark_flood_is_rate_limited_and_every_mark_is_counted(self, forge):
        logged = len(forge.find(MARK_RE))
        suppressed = [int(m.group(1)) for m in forge.find(SUPPRESSED_RE)]
        assert suppressed, f"no 'log lines ... were suppressed' line for vm3\n{forge.describe()}"
        # Every mark was either logged or counted; the run is far shorter
        # than the 10 s in which the rate would allow 80 more.
        assert logged + sum(suppressed) == MARKS, \
            f"expected {MARKS} marks logged or suppressed, seen {logged} logged + {sum(suppressed)} suppressed"
        assert logged <= LOG_BURST + 10 * LOG_PER_SEC, f"{logged} mark lines for {MARKS} marks"
