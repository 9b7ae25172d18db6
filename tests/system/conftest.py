"""System tests: boot the real images in emulators with tools/run and read the console.

Run with: /usr/bin/python3 -m pytest -n 2 --dist loadfile tests/system

Each test module boots its scenario once (a module-scoped fixture calling boot())
and many small tests assert on that one boot. Serial logs are kept in
build/test-logs/. The time from emulator start to the kernel's first line is
printed per boot (pytest -s) and listed at the end of the run.

Helpers for the test modules (import them with `from conftest import ...`):
  boot(emu, image, mem, cmdline, cpu=None, timeout=...)  -> Boot
  skip_unless_bochs_runs_a_guest(cpu): for the Bochs (VMX) modules
  parse_ktap(lines) -> KtapReport;  assert_ktap_passed(boot, min_tests)
  AllTestsScenario: the checks every `test=all` boot must pass
"""

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tools" / "run"
LOG_DIR = ROOT / "build" / "test-logs"

DEFAULT_TIMEOUT_S = 60
MIN_KTAP_TESTS = 20      # a test=all boot that ran fewer has lost tests somewhere

BOOT_LINE_RE = re.compile(r"^memvisor: boot=(\S+) cmdline='(.*)'$")
STATUS_LINE_RE = re.compile(r"^memvisor: shutdown status=(-?\d+) reason=(\S+)$")
FRAMES_RE = re.compile(
    r"^memvisor: frames: total=(\d+) free=(\d+) usable=(\d+) MiB highest=0x([0-9a-fA-F]+)$")
ZSWAP_RE = re.compile(
    r"^memvisor: zswap: reserved (\d+) KiB at mpa 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)$")

_unreported_timings = []   # (scenario, first-line-after, total), handed to the next report


# ---------------------------------------------------------------- booting

@dataclass
class Boot:
    """One run of tools/run: its exit status and the kernel's console lines."""
    name: str
    command: list
    status: int
    lines: list            # kernel lines (from the boot line on), \r stripped
    console: list          # every console line, firmware and GRUB included
    stderr: str            # the runner's own messages
    log_path: Path
    first_line_after: float = None
    total: float = None

    def describe(self):
        """Where to look when an assertion about this boot fails."""
        stderr = "\n".join(f"    {l}" for l in self.stderr.splitlines()) or "    (empty)"
        tail = "\n".join(f"    {l}" for l in self.console[-25:])
        return (f"scenario {self.name}: tools/run exited {self.status}; log {self.log_path}\n"
                f"  runner stderr:\n{stderr}\n"
                f"  last console lines:\n{tail}")

    def find(self, pattern):
        """Match objects for every kernel line matching the regular expression
        from its start (re.match). A guest's console line starts with its
        "[vmN:name] " prefix, so a pattern for one of memvisor's own lines
        ("memvisor: ...", "stats: ...") is never satisfied by text a guest
        prints. To look for text anywhere in a line, use containing()."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return [m for m in (rx.match(l) for l in self.lines) if m]

    def match(self, pattern):
        """The first kernel line matching pattern, or fail naming what was expected."""
        found = self.find(pattern)
        assert found, f"no kernel line matches {getattr(pattern, 'pattern', pattern)!r}\n" \
                      f"{self.describe()}"
        return found[0]

    def indices(self, pattern):
        """Indices of the kernel lines matching the regular expression; at
        least one, or fail naming what was expected."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        found = [i for i, line in enumerate(self.lines) if rx.match(line)]
        assert found, f"no kernel line matches {getattr(rx, 'pattern', rx)!r}\n{self.describe()}"
        return found

    def containing(self, text):
        """Kernel lines, memvisor's or a guest's, that contain text anywhere:
        for checks that something is absent from the whole console."""
        return [l for l in self.lines if text in l]

    def starting(self, prefix):
        """Kernel lines that start with prefix."""
        return [l for l in self.lines if l.startswith(prefix)]

    @property
    def final(self):
        """(status, reason) from the final status line, or fail."""
        assert self.lines, f"the kernel printed nothing\n{self.describe()}"
        last = [l for l in self.lines if l.strip()][-1]
        m = STATUS_LINE_RE.match(last)
        assert m, f"the last kernel line is not the status line: {last!r}\n{self.describe()}"
        return int(m.group(1)), m.group(2)


SCENARIO_NAME_MAX = 200   # the log file's name; file systems stop at 255 bytes


def scenario_name(emu, image, mem, cmdline, cpu):
    words = re.sub(r"[^A-Za-z0-9=.,_-]+", "_", cmdline).strip("_") or "empty"
    name = "-".join(x for x in (emu, image, mem, cpu, words) if x)
    if len(name) > SCENARIO_NAME_MAX:   # a long command line: keep its start, tell it apart by a digest
        name = f"{name[:SCENARIO_NAME_MAX - 17]}-{hashlib.sha1(name.encode()).hexdigest()[:16]}"
    return name


def boot(emu, image, mem, cmdline, cpu=None, timeout=DEFAULT_TIMEOUT_S):
    """Boot one scenario with tools/run --quiet --log; return a Boot."""
    name = scenario_name(emu, image, mem, cmdline, cpu)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    # Two workers may boot the same scenario (without --dist loadfile): one log each.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    log_path = LOG_DIR / (f"{name}.{worker}.log" if worker else f"{name}.log")
    command = [str(RUNNER), "--emu", emu, "--image", image, "--mem", mem,
               "--cmdline", cmdline, "--timeout", str(timeout),
               "--quiet", "--timing", "--log", str(log_path)]
    if cpu:
        command += ["--cpu", cpu]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout + 30)
    console = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    result = Boot(name, command, done.returncode, kernel_lines(console), console,
                  done.stderr, log_path)
    result.first_line_after = timing(done.stderr, "first-line-after")
    result.total = timing(done.stderr, "total")
    _unreported_timings.append((name, result.first_line_after, result.total))
    print(f"boot {name}: status={result.status} first-line-after={result.first_line_after} "
          f"total={result.total}")
    return result


def kernel_lines(console):
    """The console from the kernel's boot line on (firmware noise before it cut off)."""
    for i, line in enumerate(console):
        at = line.find("memvisor: boot=")
        if at >= 0:
            return [line[at:]] + [l.rstrip("\r") for l in console[i + 1:]]
    return []


def timing(stderr, key):
    m = re.search(rf"^run: {key}=([0-9.]+)$", stderr, re.MULTILINE)
    return float(m.group(1)) if m else None


def run_tool(*args, timeout=60):
    """Run tools/run with arguments; return the CompletedProcess (text)."""
    return subprocess.run([str(RUNNER), *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


_bochs_probes = {}   # cpu -> the skip reason, or None: one probe per worker and model


def skip_unless_bochs_runs_a_guest(cpu):
    """Skips the calling test (module, from a module-scoped fixture) unless
    `tools/run --emu bochs --cpu CPU --cmdline guests=hello:4M` ends with
    status 0, i.e. the VMX backend runs a guest; the reason names the command
    and what it said."""
    if cpu not in _bochs_probes:
        probe = ["--emu", "bochs", "--cpu", cpu, "--mem", "64M", "--cmdline", "guests=hello:4M",
                 "--timeout", "60", "--quiet"]
        done = run_tool(*probe, timeout=120)
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        _bochs_probes[cpu] = None if done.returncode == 0 else \
            f"the VMX backend cannot run a guest under Bochs yet: `tools/run {' '.join(probe)}` " \
            f"exited {done.returncode} ({tail})"
    if _bochs_probes[cpu]:
        pytest.skip(_bochs_probes[cpu])


# ---------------------------------------------------------------- KTAP

KTAP_HEADER_RE = re.compile(r"^(KTAP version \d+|TAP version \d+)$")
KTAP_PLAN_RE = re.compile(r"^1\.\.(\d+)$")
KTAP_RESULT_RE = re.compile(r"^(ok|not ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(.*))?$")
KTAP_SUBTEST_RE = re.compile(r"^# Subtest: (.*)$")
KTAP_INDENT = 4


@dataclass
class KtapResult:
    path: str              # "suite.test" (or "suite" for a suite's own line)
    ok: bool
    skipped: bool
    is_suite: bool
    diagnostics: list = field(default_factory=list)


@dataclass
class KtapReport:
    found: bool = False
    results: list = field(default_factory=list)
    problems: list = field(default_factory=list)   # plan mismatches and the like

    @property
    def tests(self):
        return [r for r in self.results if not r.is_suite]

    @property
    def ran(self):
        return [r for r in self.tests if not r.skipped]

    @property
    def failed(self):
        return [r for r in self.results if not r.ok and not r.skipped]


def parse_ktap(lines):
    """Parse KTAP (Linux Documentation/dev-tools/ktap.rst) from console lines.

    Nesting is by indentation, four spaces a level. A level's "# Subtest: NAME"
    names the results at that level; "# ..." lines before a result are that
    result's diagnostics; a result line at level L closes the block at L+1.
    Other lines (kernel log) become diagnostics of the test that follows them.
    """
    report = KtapReport()
    names, plans, counts, pending, has_children = {}, {}, {}, {}, {}
    started = False
    for raw in lines:
        text = raw.rstrip()
        indent = len(text) - len(text.lstrip(" "))
        level, body = indent // KTAP_INDENT, text.strip()
        if not started:
            if indent == 0 and KTAP_HEADER_RE.match(body):
                started = report.found = True
            continue
        structural = (KTAP_HEADER_RE.match(body) or KTAP_PLAN_RE.match(body)
                      or KTAP_SUBTEST_RE.match(body) or KTAP_RESULT_RE.match(body))
        if structural and level > 0:
            has_children[level - 1] = True
        if KTAP_HEADER_RE.match(body):
            for table in (names, plans, counts):
                table.pop(level, None)
            continue
        if m := KTAP_PLAN_RE.match(body):
            plans[level] = int(m.group(1))
            continue
        if m := KTAP_SUBTEST_RE.match(body):
            names[level] = m.group(1).strip()
            continue
        if m := KTAP_RESULT_RE.match(body):
            _add_result(report, m, level, names, plans, counts, pending, has_children)
            continue
        pending.setdefault(level, []).append(body)
    if started and plans.get(0) is not None and counts.get(0, 0) != plans[0]:
        report.problems.append(f"top level planned 1..{plans[0]} but reported "
                               f"{counts.get(0, 0)} results (did the kernel stop early?)")
    return report


def _add_result(report, m, level, names, plans, counts, pending, has_children):
    ok, name, directive = m.group(1) == "ok", (m.group(3) or "").strip(), m.group(4) or ""
    prefix = [names[l] for l in range(1, level + 1) if l in names]
    path = ".".join(prefix + [name or f"#{m.group(2)}"])
    is_suite = has_children.pop(level, False)
    if is_suite:
        child = level + 1
        if plans.get(child) is not None and counts.get(child, 0) != plans[child]:
            report.problems.append(f"suite {path} planned 1..{plans[child]} but reported "
                                   f"{counts.get(child, 0)} results")
        for table in (names, plans, counts):
            table.pop(child, None)
    skipped = directive.upper().startswith("SKIP")
    diagnostics = [d.lstrip("# ").rstrip() for d in pending.pop(level, [])]
    report.results.append(KtapResult(path, ok, skipped, is_suite, diagnostics))
    counts[level] = counts.get(level, 0) + 1


def assert_ktap_passed(run, min_tests=MIN_KTAP_TESTS):
    """Every KTAP test in this boot passed, and at least min_tests of them ran."""
    report = parse_ktap(run.lines)
    assert report.found, f"no 'KTAP version 1' line in the kernel output\n{run.describe()}"
    messages = []
    for result in report.failed:
        kind = "suite" if result.is_suite else "test"
        messages.append(f"FAILED {kind} {result.path}")
        messages += [f"    {d}" for d in result.diagnostics]
    messages += [f"KTAP: {p}" for p in report.problems]
    if len(report.ran) < min_tests:
        messages.append(f"only {len(report.ran)} tests ran, expected at least {min_tests}")
    assert not messages, "\n".join(messages) + f"\n{run.describe()}"
    return report


# ---------------------------------------------------------------- shared scenario

class AllTestsScenario:
    """Checks for a boot with `test=all`. A test module subclasses this as Test...,
    sets the class attributes and defines a module-scoped fixture `run` -> Boot."""

    boot_path = None       # multiboot2/bios, multiboot2/uefi or uefi
    mem_mib = None

    def test_runner_status_is_0(self, run):
        assert run.status == 0, run.describe()

    def test_final_line_says_tests_passed(self, run):
        assert run.final == (0, "tests-passed"), run.describe()

    def test_boot_line_names_path_and_cmdline(self, run):
        m = run.match(BOOT_LINE_RE)
        assert (m.group(1), m.group(2)) == (self.boot_path, "test=all"), run.describe()

    def test_every_ktap_test_passed(self, run):
        assert_ktap_passed(run)

    def test_frames_line_is_consistent(self, run):
        total, free, usable, highest = frames(run)
        assert 0 < free <= total, f"free={free} total={total}"
        assert abs(usable - total * 4096 // 2**20) <= 1, \
            f"usable={usable} MiB but total={total} frames of 4 KiB"
        slack = 16 + self.mem_mib // 64     # firmware, ROMs and holes take some RAM
        assert self.mem_mib - slack <= usable <= self.mem_mib, \
            f"usable={usable} MiB for a machine with {self.mem_mib} MiB"
        assert highest >= usable * 2**20, f"highest={highest:#x} below usable={usable} MiB"

    def test_zswap_region_is_reported(self, run):
        m = run.match(ZSWAP_RE)
        kib, start, end = int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)
        assert kib > 0 and end - start == kib * 1024, m.group(0)
        assert end <= frames(run)[3], f"{m.group(0)} lies beyond the highest usable address"


def frames(run):
    """(total, free, usable MiB, highest) from the frames line."""
    m = run.match(FRAMES_RE)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4), 16)


# ---------------------------------------------------------------- timing summary

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Carry boot timings to the report (xdist sends reports to the controller)."""
    outcome = yield
    report = outcome.get_result()
    if _unreported_timings:
        report.user_properties = list(report.user_properties) + \
            [("boot-timing", t) for t in _unreported_timings]
        _unreported_timings.clear()


def pytest_terminal_summary(terminalreporter):
    timings = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key == "boot-timing":
                    timings[value[0]] = value[1:]
    if not timings:
        return
    terminalreporter.section("boot times (emulator start to first kernel line / whole run)")
    width = max(len(name) for name in timings)
    for name, (first, total) in sorted(timings.items()):
        first_text = f"{first:6.2f} s" if first is not None else "     - "
        total_text = f"{total:6.2f} s" if total is not None else "     - "
        terminalreporter.write_line(f"{name:<{width}}  {first_text}  {total_text}")
