"""The compressed swap area (vmm/zswap/zswap.h) on each backend (QEMU/SVM,
Bochs/VMX with EPT accessed and dirty bits: the clock's accessed bits): the
same guest and script must give the same counts whichever hardware
interface runs them.

Three scenarios, one boot each:
  MIX_CMDLINE  the zipmix guest makes a known mix of compressible, incompressible
               and same-filled pages plus a hot set it keeps reading; at its mark 1
               the script forces compression of as many victims as the mix has
               pages; then the guest reads everything back and verifies checksums.
  CAP_CMDLINE  the same guest with a small cap (zswap_max_pct=2): compression stops
               at the cap; then one compressed page is damaged on purpose, and the
               swap-in must stop that VM with a clear error, memvisor going on.
  COMPACT_CMDLINE  768 compressible pages compressed, one in three swapped back in
               (holes in every class), then the area compacted: fewer pages, the
               same objects, every moved page still verifies in the guest."""
import re

import pytest
from memvisor import by_backend

VM_BYTES = 8 << 20
MIX = {"compressible": 256, "incompressible": 64, "same": 64, "hot": 32}
MIX_ARGS = ":".join(f"{k}={v}" for k, v in MIX.items())
MIX_VICTIMS = MIX["compressible"] + MIX["incompressible"] + MIX["same"]
MIX_CMDLINE = (f'guests=zipmix:8M:{MIX_ARGS} '
               f'script="compress zipmix {MIX_VICTIMS};zswap;stats zipmix;check" script_at=mark:zipmix:1')
CAP_PCT = 2
CAP_CMDLINE = (f'guests=zipmix:8M zswap_max_pct={CAP_PCT} '
               f'script="compress 1 {MIX_VICTIMS};zswap;zswap damage 1;check" script_at=mark:1:1')
COMPACT_PAGES = 768
COMPACT_STRIDE = 3
COMPACT_CMDLINE = (f'guests=zipmix:8M:compressible={COMPACT_PAGES}:incompressible=0:same=0 '
                   f'script="compress zipmix {COMPACT_PAGES};zswap swapin zipmix {COMPACT_STRIDE};zswap;'
                   f'zswap compact;zswap;check" script_at=mark:zipmix:1')
STATUS_GUEST_STOPPED = 6
AREA_RE = r"^monitor: zswap area: \d+ KiB at mpa 0x[0-9a-f]+, \d+ pages for objects, (\d+) used by (\d+) objects$"
FRAGMENTATION_RE = r"^monitor: zswap fragmentation: ([0-9.]+)% of the used pages hold no data"

MADE_RE = (r"^\[vm1:zipmix\] zipmix: made (\d+) compressible \((\d+) text, (\d+) records\), (\d+) incompressible, "
           r"(\d+) same-filled pages and (\d+) hot pages$")
COMPRESS_RE = (r"^monitor: compress vm1: (\d+) victims: (\d+) compressed, (\d+) same-filled, (\d+) rejected "
               r"\(over half a page\), (\d+) bytes of the area(.*)$")
CLOCK_RE = (r"^monitor: compress vm1: the clock passed over (\d+) recently used pages and took (\d+) of them "
            r"\(it takes a recently used page only when no cold page is left\)$")
ZSWAP_ROW_RE = (r"^  1\s+zipmix\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$")
READ_BACK_RE = (r"^\[vm1:zipmix\] zipmix: read back (\d+) compressible and same-filled pages in (\d+) us, "
                r"mismatches (\d+)$")


TIMEOUT = {"qemu": 60, "bochs": 180}


@pytest.fixture(scope="module")
def mix_run(backend):
    return backend.boot("64M", MIX_CMDLINE, timeout=by_backend(TIMEOUT, backend))


@pytest.fixture(scope="module")
def cap_run(backend):
    return backend.boot("64M", CAP_CMDLINE, timeout=by_backend(TIMEOUT, backend))


@pytest.fixture(scope="module")
def compact_run(backend):
    return backend.boot("64M", COMPACT_CMDLINE, timeout=by_backend(TIMEOUT, backend))


def stats_at_mark(run, n):
    """The zipmix VM's stats line printed at its mark n, as a dict of ints."""
    for i, line in enumerate(run.lines):
        if re.match(rf"^memvisor: \[vm1:zipmix\] mark {n}$", line):
            nxt = run.lines[i + 1]
            assert nxt.startswith("stats: "), f"mark {n} is not followed by a stats line: {nxt!r}"
            return {k: int(v) for k, v in (kv.split("=") for kv in nxt.split()[1:]) if v.isdigit()}
    raise AssertionError(f"no mark {n} from zipmix\n{run.describe()}")


def compress_line(run):
    m = run.match(COMPRESS_RE)
    victims, stored, same, rejected, area_bytes = map(int, m.groups()[:5])
    return victims, stored, same, rejected, area_bytes, m.group(6)


def swapins_per_second(run):
    """(pages, us, swap-ins per second) of the timed read-back."""
    m = run.match(READ_BACK_RE)
    pages, us = int(m.group(1)), int(m.group(2))
    return pages, us, pages * 1_000_000 / us if us else 0.0


class TestZswapMix:
    def test_guest_made_the_mix_asked_for(self, mix_run):
        made = [int(x) for x in mix_run.match(MADE_RE).groups()]
        assert (made[0], made[3], made[4], made[5]) == \
            (MIX["compressible"], MIX["incompressible"], MIX["same"], MIX["hot"]), made

    def test_forced_compression_counts_match_the_mix(self, mix_run):
        victims, stored, same, rejected, _, stop = compress_line(mix_run)
        expected = (MIX_VICTIMS, MIX["compressible"], MIX["same"], MIX["incompressible"], "")
        assert (victims, stored, same, rejected, stop) == expected, \
            f"expected victims/compressed/same-filled/rejected {expected}, seen {(victims, stored, same, rejected, stop)}"

    def test_the_hot_set_is_passed_over_and_never_swapped_in(self, mix_run):
        passed, taken = map(int, mix_run.match(CLOCK_RE).groups())
        assert taken == 0, f"the clock took {taken} recently used pages while cold ones were left"
        assert passed >= MIX["hot"], f"the clock passed over only {passed} pages; the hot set alone has {MIX['hot']}"
        # Between marks 1 and 2 the guest reads every page but the mix: a hot
        # page that had been compressed would have needed a swap-in there.
        assert stats_at_mark(mix_run, 2)["swapins"] == 0, stats_at_mark(mix_run, 2)

    def test_area_and_stats_agree_and_stay_within_the_cap(self, mix_run):
        cap_kib, used_kib, pages, same, ratio, stored, rejected, capped, swapins = \
            mix_run.match(ZSWAP_ROW_RE).groups()
        assert int(cap_kib) == VM_BYTES // 10 // 1024 and int(used_kib) <= int(cap_kib), (cap_kib, used_kib)
        assert (int(pages), int(same), int(rejected), int(capped)) == \
            (MIX["compressible"] + MIX["same"], MIX["same"], MIX["incompressible"], 0)
        assert float(ratio) > 2.0, f"ratio {ratio}: the mix's pages compress 3x and more"
        s = stats_at_mark(mix_run, 2)
        assert (s["compressed"], s["compressed_same"], s["compress_rejected"], s["compress_capped"]) == \
            (MIX["compressible"] + MIX["same"], MIX["same"], MIX["incompressible"], 0), s
        for line in mix_run.find(r"^stats: .* vm=zipmix .*compressed_bytes=(\d+)"):
            assert int(line.group(1)) <= VM_BYTES // 10, line.group(0)

    def test_the_area_is_charged_to_the_guests_budget(self, mix_run):
        # Right after the compression: the zswap line, then stats' two machine lines.
        area = mix_run.match(AREA_RE)
        charge = mix_run.match(r"^  guests: (\d+) of (\d+) budget frames charged: (\d+) holding pages, "
                               r"(\d+) of the compressed swap area$")
        area_pages, objects = map(int, area.groups())
        charged, budget, holding, zswap_pages = map(int, charge.groups())
        assert objects == MIX["compressible"] + MIX["same"], area.group(0)
        assert zswap_pages == area_pages > 0, \
            f"the area holds {area_pages} pages, the budget is charged {zswap_pages}: {charge.group(0)}"
        assert charged == holding + zswap_pages, charge.group(0)
        # A page compressed 2x and more takes at most half a page of the area.
        assert zswap_pages <= objects // 2 + 4, f"{zswap_pages} area pages for {objects} compressed pages"

    def test_every_page_verifies_after_swap_in(self, mix_run):
        pages, _, _ = swapins_per_second(mix_run)
        assert pages == MIX["compressible"] + MIX["same"]
        mix_run.match(READ_BACK_RE.replace(r"mismatches (\d+)$", "mismatches 0$"))
        mix_run.match(r"^\[vm1:zipmix\] zipmix: read back \d+ incompressible pages, mismatches 0$")
        mix_run.match(rf"^\[vm1:zipmix\] zipmix: verified {MIX_VICTIMS + MIX['hot']} pages, mismatches 0$")
        s = stats_at_mark(mix_run, 3)
        assert (s["swapins"], s["compressed"], s["compressed_bytes"]) == (pages, 0, 0), s
        assert mix_run.final == (0, "guests-done"), mix_run.describe()

    def test_a_stream_of_swap_ins_is_read_ahead(self, mix_run):
        # zipmix reads its pages back in gva order, which is gfn order: after
        # two faults in a row, the compressed pages ahead come back with them,
        # mapped, and fault no more. The incompressible pages between the
        # runs of compressed ones (never compressed) end each stream.
        s = stats_at_mark(mix_run, 3)
        assert 0 < s["readahead"] < s["swapins"], s

    def test_invariant_checker_passes(self, mix_run):
        assert mix_run.find(r"^monitor: check: 0 invariant violations$"), mix_run.describe()
        mix_run.match(r"^memvisor: \[vm1:zipmix\] invariants ok; released \d+ guest frames")

    def test_swap_in_rate_is_reported(self, mix_run):
        pages, us, rate = swapins_per_second(mix_run)
        print(f"{mix_run.name}: {pages} swap-ins in {us} us of guest time: {rate:,.0f} per second")
        assert rate > 0


class TestZswapCap:
    def test_compression_stops_at_the_cap(self, cap_run):
        victims, stored, same, rejected, area_bytes, stop = compress_line(cap_run)
        assert stop == "; stopped: the VM's share is full (zswap_max_pct)", stop
        cap = VM_BYTES * CAP_PCT // 100
        assert 0 < area_bytes <= cap, f"{area_bytes} bytes stored with a cap of {cap}"
        assert stored + same < MIX["compressible"] + MIX["same"], "the default mix should not fit in 2%"
        cap_kib, used_kib = map(int, cap_run.match(ZSWAP_ROW_RE).groups()[:2])
        assert cap_kib == cap // 1024 and used_kib <= cap_kib, (cap_kib, used_kib)
        assert int(cap_run.match(ZSWAP_ROW_RE).group(8)) >= 1, "the refused page is counted as capped"

    def test_damaged_page_stops_its_vm_with_a_clear_error(self, cap_run):
        gfn = int(cap_run.match(r"^monitor: vm1 gfn (0x[0-9a-f]+): one byte of its compressed copy flipped$")
                  .group(1), 16)
        cap_run.match(rf"^memvisor: \[vm1:zipmix\] stopped: compressed copy of gpa {gfn << 12:#x} is damaged "
                      r"\(handle 0x[0-9a-f]+ does not decompress to the page stored\)$")
        assert not cap_run.containing("zipmix: verified"), "the guest must not go on with a damaged page"

    def test_memvisor_goes_on_and_releases_everything(self, cap_run):
        cap_run.match(r"^memvisor: \[vm1:zipmix\] invariants ok; released \d+ guest frames")
        cap_run.match(r"^memvisor: guests: 0 ok, 0 failed, 1 stopped$")
        assert cap_run.final == (STATUS_GUEST_STOPPED, "guest-stopped"), cap_run.describe()


class TestZswapCompact:
    def areas(self, run):
        """(pages used, objects, fragmentation %) before and after the compaction."""
        areas = [tuple(map(int, m.groups())) for m in run.find(AREA_RE)]
        frag = [float(m.group(1)) for m in run.find(FRAGMENTATION_RE)]
        assert len(areas) == 2 and len(frag) == 2, run.describe()
        return [(p, o, f) for (p, o), f in zip(areas, frag)]

    def test_compaction_gives_back_pages_and_keeps_every_object(self, compact_run):
        n = int(compact_run.match(r"^monitor: zswap swapin vm1: (\d+) compressed pages brought back \(one in 3\)$")
                .group(1))
        assert n > 100, f"only {n} pages swapped back in: too few holes to compact"
        m = compact_run.match(r"^monitor: zswap compact: moved (\d+) objects, (\d+) not found; "
                              r"area pages in use (\d+) -> (\d+)$")
        moved, missed, before, after = map(int, m.groups())
        (pages0, objects0, frag0), (pages1, objects1, frag1) = self.areas(compact_run)
        assert moved > 0 and missed == 0, m.group(0)
        assert (before, after) == (pages0, pages1), f"{m.group(0)} vs the zswap lines {pages0}, {pages1}"
        assert after < before, m.group(0)
        assert objects1 == objects0, f"compaction changed the object count: {objects0} -> {objects1}"
        assert frag1 < frag0, f"fragmentation {frag0}% -> {frag1}%"

    def test_invariants_hold_after_the_moves(self, compact_run):
        compact_run.match(r"^monitor: check: 0 invariant violations$")

    def test_every_moved_page_verifies_in_the_guest(self, compact_run):
        compact_run.match(r"^\[vm1:zipmix\] zipmix: read back \d+ compressible and same-filled pages in \d+ us, "
                          r"mismatches 0$")
        compact_run.match(r"^\[vm1:zipmix\] zipmix: verified \d+ pages, mismatches 0$")
        assert compact_run.final == (0, "guests-done"), compact_run.describe()
