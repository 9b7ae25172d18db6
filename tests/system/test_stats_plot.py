"""tools/stats-plot: the "stats:" lines of a serial log to a CSV and a PNG.

A hand-written log checks the parser and the CSV exactly, bad input checks the
error messages, and a real boot with stats_interval checks that the CSV shows
what demand allocation does: memtest's granted pages grow while it touches its
memory, and the machine's free frames fall by as much and come back at the end.
"""
import csv
import struct
import subprocess

import pytest
from memvisor import ROOT, boot

STATS_PLOT = ROOT / "tools" / "stats-plot"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PAGES_PER_MIB = 256

# Firmware noise, a guest line, kernel lines, \r line ends and a \r inside a
# line; a machine line that comes after VM lines; a key (extra) only one line
# has; a word value (state); and the same (t, vm, id) printed twice.
SMALL_LOG = (
    "\x1b[2J\x1b[01;01HSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
    "  Booting `memvisor'\r\n"
    "\r\n"
    "memvisor: boot=multiboot2/bios cmdline='guests=hello:4M,memtest:32M stats_interval=20'\r\n"
    "stats: t=70 vm=hello id=1 granted=0 shared=0 npf=0\r\n"
    "stats: t=70 vm=memtest id=2 granted=12 shared=0 npf=12\r\n"
    "stats: t=70 vm=- free=30124 usable=32310 state=high\r\n"
    "[vm2:memtest] memtest: stats: t=1 is a guest line, not a kernel one\r\n"
    "  stats: t=2 indented: not a stats line either\n"
    "stats:t=3 no space: not a stats line either\n"
    "\rstats: t=90 vm=memtest id=2 granted=700 shared=4 npf=705 extra=7\r\n"
    "stats: t=90 vm=- free=29400 usable=32310 state=soft\r\n"
    "stats: t=110 vm=memtest id=2 granted=1500 shared=4 npf=1510\n"
    "stats: t=110 vm=memtest id=2 granted=1536 shared=4 npf=1540\n"
    "stats: t=110 vm=- free=28600 usable=32310 state=hard\n"
    "memvisor: shutdown status=0 reason=guests-done\r\n"
)


def stats_plot(*args):
    return subprocess.run([str(STATS_PLOT), *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def png_size(path):
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} does not start with the PNG signature"
    assert data[12:16] == b"IHDR", f"{path}: first chunk is {data[12:16]!r}, not IHDR"
    return struct.unpack(">II", data[16:24])


def assert_valid_png(path):
    assert path.exists(), f"{path} was not written"
    size = path.stat().st_size
    assert 10_000 < size < 5_000_000, f"{path} is {size} bytes: not a plausible figure"
    width, height = png_size(path)
    assert width >= 800 and height >= 600, f"{path} is only {width}x{height} pixels"


# ---------------------------------------------------------------- the parser and the CSV

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """tools/stats-plot on SMALL_LOG with default output names: (result, dir)."""
    where = tmp_path_factory.mktemp("stats-small")
    (where / "small.log").write_bytes(SMALL_LOG.encode())
    return stats_plot(where / "small.log"), where


def test_small_log_succeeds_and_prints_both_file_names(small):
    done, where = small
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(where / "small.csv"), str(where / "small.png")]


def test_csv_header_is_t_vm_id_then_every_key_in_order_seen(small):
    _, where = small
    with open(where / "small.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["t_ms", "vm", "id", "granted", "shared", "npf",
                      "free", "usable", "state", "extra"]


def test_csv_has_one_row_per_sample_and_vm_with_exact_values(small):
    _, where = small
    rows = [(r["t_ms"], r["vm"], r["id"], r["granted"], r["shared"], r["npf"], r["extra"],
             r["free"], r["usable"], r["state"]) for r in read_csv(where / "small.csv")]
    assert rows == [
        ("70", "hello", "1", "0", "0", "0", "", "", "", ""),
        ("70", "memtest", "2", "12", "0", "12", "", "", "", ""),
        ("70", "-", "", "", "", "", "", "30124", "32310", "high"),
        ("90", "memtest", "2", "700", "4", "705", "7", "", "", ""),
        ("90", "-", "", "", "", "", "", "29400", "32310", "soft"),
        # t=110 memtest was printed twice: the later line wins
        ("110", "memtest", "2", "1536", "4", "1540", "", "", "", ""),
        ("110", "-", "", "", "", "", "", "28600", "32310", "hard"),
    ]


def test_small_log_gives_a_png(small):
    _, where = small
    assert_valid_png(where / "small.png")


def test_out_prefix_and_a_new_key_can_be_plotted(tmp_path):
    (tmp_path / "small.log").write_bytes(SMALL_LOG.encode())
    done = stats_plot(tmp_path / "small.log", "--out", tmp_path / "figs", "--keys", "npf,extra")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "figs.csv"), str(tmp_path / "figs.png")]
    assert len(read_csv(tmp_path / "figs.csv")) == 7
    assert_valid_png(tmp_path / "figs.png")


# Every default key, swapped (pages on the swap disk) among them.
RECLAIM_LOG = "".join(
    f"stats: t={t} vm=hog id=1 granted={900 - 50 * i} shared=0 balloon_size=0 compressed={10 * i} swapped={40 * i}\n"
    f"stats: t={t} vm=- free=100 usable=4000 state=hard\n" for i, t in enumerate((100, 200, 300)))
FIG_HEIGHT_PX = {2: 940, 3: 1230}  # 100 dpi: 3.6 in + 2.9 in per row of two key plots


def test_swapped_pages_are_plotted_by_default(tmp_path):
    """The default keys are the four levels of reclamation after granted:
    with `swapped` in the log, its plot is a fifth, on a third row."""
    (tmp_path / "reclaim.log").write_text(RECLAIM_LOG)
    done = stats_plot(tmp_path / "reclaim.log")
    assert done.returncode == 0, done.stderr
    width, height = png_size(tmp_path / "reclaim.png")
    assert height == FIG_HEIGHT_PX[3], \
        f"expected {FIG_HEIGHT_PX[3]} px (five key plots: granted, shared, balloon_size, compressed, swapped), " \
        f"seen {height} ({FIG_HEIGHT_PX[2]} would be four)"
    done = stats_plot(tmp_path / "reclaim.log", "--out", tmp_path / "four", "--keys",
                      "granted,shared,balloon_size,compressed")
    assert done.returncode == 0, done.stderr
    assert png_size(tmp_path / "four.png")[1] == FIG_HEIGHT_PX[2], "the reference: four key plots, two rows"


# ---------------------------------------------------------------- errors

def test_missing_log_is_an_error(tmp_path):
    done = stats_plot(tmp_path / "nothing.log")
    assert done.returncode == 1, done.stderr
    assert "nothing.log: no such file" in done.stderr


def test_log_without_stats_lines_says_to_set_stats_interval(tmp_path):
    log = tmp_path / "quiet.log"
    log.write_text("memvisor: boot=multiboot2/bios cmdline=''\r\n"
                   "memvisor: shutdown status=0 reason=guests-done\r\n")
    done = stats_plot(log)
    assert done.returncode == 1, done.stderr
    assert f"no 'stats:' lines in {log}: run with stats_interval=MS" in done.stderr
    assert not (tmp_path / "quiet.csv").exists()


@pytest.mark.parametrize("line, problem", [
    ("stats: t=90 vm=memtest id=2 granted 700", "'granted' is not key=value"),
    ("stats: t=90 vm=memtest id=2 granted=", "'granted=' has no value"),
    ("stats: t=90 vm=memtest id=2 npf=1 npf=2", "'npf' appears twice"),
    ("stats: vm=memtest id=2 granted=1", "no t="),
    ("stats: t=soon vm=memtest id=2 granted=1", "t=soon is not a time in ms"),
    ("stats: t=90 vm=memtest granted=1", "VM 'memtest' has no id="),
])
def test_malformed_stats_line_names_its_line_number_and_the_problem(tmp_path, line, problem):
    log = tmp_path / "bad.log"
    log.write_text(SMALL_LOG + line + "\r\n")
    line_number = SMALL_LOG.count("\n") + 1
    done = stats_plot(log)
    assert done.returncode == 1, done.stderr
    assert f"{log}:{line_number}: malformed stats line: {problem}" in done.stderr


def test_unknown_keys_are_listed_with_the_available_ones(tmp_path):
    (tmp_path / "small.log").write_bytes(SMALL_LOG.encode())
    done = stats_plot(tmp_path / "small.log", "--keys", "granted,ballon_size")
    assert done.returncode == 2, done.stderr
    assert "unknown key ballon_size" in done.stderr
    assert "this log has: granted, shared, npf, extra" in done.stderr


# ---------------------------------------------------------------- a real boot

@pytest.fixture(scope="module")
def run():
    return boot("qemu", "iso", "128M", "guests=hello:4M,memtest:32M stats_interval=20")


@pytest.fixture(scope="module")
def plotted(run):
    """tools/stats-plot on the boot's log (outputs next to it in build/test-logs)."""
    assert run.status == 0, run.describe()
    return stats_plot(run.log_path), run.log_path.with_suffix("")


def column(rows, key):
    return [int(r[key]) for r in rows]


def test_real_log_is_plotted(plotted):
    done, prefix = plotted
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"{prefix}.csv", f"{prefix}.png"]
    assert_valid_png(prefix.parent / f"{prefix.name}.png")


def test_every_stats_line_of_the_log_is_a_csv_row(run, plotted):
    _, prefix = plotted
    rows = read_csv(f"{prefix}.csv")
    # One row per (t, vm, id): the final print may share a millisecond with a
    # periodic one, and then the later line is the row (as in SMALL_LOG).
    last = {}
    for line in run.starting("stats: "):
        fields = dict(word.split("=", 1) for word in line[len("stats: "):].split())
        last[(fields["t"], fields["vm"], fields.get("id", ""))] = fields
    seen = {(r["t_ms"], r["vm"], r["id"]): r for r in rows}
    assert len(rows) == len(seen), "two CSV rows for one (t, vm, id)"
    assert seen.keys() == last.keys(), \
        f"stats lines without a row: {sorted(last.keys() - seen.keys())}; " \
        f"rows without a line: {sorted(seen.keys() - last.keys())}"
    for key, fields in last.items():
        row = {k: v for k, v in seen[key].items() if v != ""}
        expected = {("t_ms" if k == "t" else k): v for k, v in fields.items()}
        assert row == expected, f"row {key}: expected {expected}, seen {row}"
    assert {r["vm"] for r in rows} == {"hello", "memtest", "-"}


def test_memtest_granted_grows_by_demand_allocation(run, plotted):
    _, prefix = plotted
    rows = [r for r in read_csv(f"{prefix}.csv") if r["vm"] == "memtest"]
    assert len(rows) >= 5, f"only {len(rows)} memtest samples at stats_interval=20"
    granted = column(rows, "granted")
    # It starts with no memory: every page comes from a nested page fault.
    assert granted[0] < 1000, f"memtest started with {granted[0]} pages granted"
    assert all(a <= b for a, b in zip(granted, granted[1:])), \
        f"granted fell while memtest was only touching memory: {granted}"
    assert granted[-1] > 4000, f"memtest ended with only {granted[-1]} pages granted"
    assert granted[-1] <= 32 * PAGES_PER_MIB, f"{granted[-1]} pages for a 32 MiB guest"
    # No page without a fault (nothing is shared, ballooned or swapped here),
    # and each granted page was a first touch: zeroed, or filled from the image.
    assert all(n >= g for n, g in zip(column(rows, "npf"), granted)), \
        "a granted page without a nested page fault"
    first_touches = [z + i for z, i in zip(column(rows, "demand_zero"), column(rows, "demand_image"))]
    assert first_touches == granted, f"demand_zero + demand_image {first_touches} != granted {granted}"
    assert column(rows, "demand_image")[-1] > 0, "no page of memtest's image was filled on demand"


def test_machine_free_frames_pay_for_memtest_and_come_back(run, plotted):
    _, prefix = plotted
    all_rows = read_csv(f"{prefix}.csv")
    machine = [r for r in all_rows if r["vm"] == "-"]
    memtest = [r for r in all_rows if r["vm"] == "memtest"]
    free = column(machine, "free")
    assert all(f <= int(r["usable"]) for f, r in zip(free, machine))
    assert {r["state"] for r in machine} <= {"high", "soft", "hard", "low"}
    # The last line comes after every guest was released: all frames are back.
    assert free[-1] >= free[0], f"free frames first {free[0]}, at the end {free[-1]}"
    # At its lowest, free memory was short by at least what memtest held.
    granted = int(memtest[-1]["granted"])
    assert free[-1] - min(free) >= granted, \
        f"free dipped by {free[-1] - min(free)} frames but memtest held {granted} pages"
