"""System-test helpers: boot the real images in emulators with tools/run and
read the console. Test modules import from here; conftest.py holds only
pytest's hooks and fixtures.

Each test module boots a scenario once per backend (a module-scoped fixture
taking the `backend` fixture, conftest.py) and many small tests assert on
that one boot. Serial logs are kept in build/test-logs/.

  BACKENDS: what runs memvisor (emulator, image, CPU model, which hardware
      interface memvisor finds); Backend.boot(mem, cmdline) boots on one
  only_on("qemu", ...): a test (or module) that runs on those backends only
  boot(emu, image, mem, cmdline, cpu=None, timeout=...) -> Boot
  parse_ktap(lines) -> KtapReport;  assert_ktap_passed(boot, min_tests)
  output_of(boot, command): what a monitor command printed
"""

import hashlib
import os
import re
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tools" / "run"
LOG_DIR = ROOT / "build" / "test-logs"
EFI_IMAGE = ROOT / "build" / "memvisor.efi"

DEFAULT_TIMEOUT_S = 60
MIN_KTAP_TESTS = 20      # a test=all boot that ran fewer has lost tests somewhere

BOOT_LINE_RE = re.compile(r"^memvisor: boot=(\S+) cmdline='(.*)'$")
STATUS_LINE_RE = re.compile(r"^memvisor: shutdown status=(-?\d+) reason=(\S+)$")
# The kernel's shutdown statuses (kernel/shutdown.h), which tools/run exits with.
STATUS_OK, STATUS_USAGE, STATUS_GUEST_STOPPED = 0, 2, 6
# The summary's reclaimed line: pages swapped out and in (vmm/summary.c).
SWAP_RECLAIMED_RE = r"^memvisor: reclaimed: .*, swap (\d+) pages out and (\d+) in, "
# The scheduler's CPU line: the guests' time, memvisor's background work, its share.
CPU_LINE_RE = r"^memvisor: cpu: guests (\d+) ms, background work (\d+) ms \((\d+)% of both\)$"
FRAMES_RE = re.compile(
    r"^memvisor: frames: total=(\d+) free=(\d+) usable=(\d+) MiB highest=0x([0-9a-fA-F]+)$")
ZSWAP_RE = re.compile(
    r"^memvisor: zswap: reserved (\d+) KiB at mpa 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)$")

unreported_timings = []   # (scenario, first-line-after, total): conftest.py hands them to the next report


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
    backend: str = None    # the BACKENDS key it ran on, when booted by Backend.boot()

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


def boot(emu, image, mem, cmdline, cpu=None, timeout=DEFAULT_TIMEOUT_S, run_args=()):
    """Boot one scenario with tools/run --quiet --log; return a Boot.
    run_args: more tools/run options, e.g. ("--swap", "64M") or
    ("--swap-image", FILE); they name the scenario too."""
    name = scenario_name(emu, image, mem, " ".join([cmdline, *map(os.path.basename, run_args)]), cpu)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    # Two workers may boot the same scenario (without --dist loadfile): one log each.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    log_path = LOG_DIR / (f"{name}.{worker}.log" if worker else f"{name}.log")
    command = [str(RUNNER), "--emu", emu, "--image", image, "--mem", mem,
               "--cmdline", cmdline, "--timeout", str(timeout),
               "--quiet", "--timing", "--log", str(log_path)]
    if cpu:
        command += ["--cpu", cpu]
    command += list(run_args)
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout + 30)
    console = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    result = Boot(name, command, done.returncode, kernel_lines(console), console,
                  done.stderr, log_path)
    result.first_line_after = timing(done.stderr, "first-line-after")
    result.total = timing(done.stderr, "total")
    unreported_timings.append((name, result.first_line_after, result.total))
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


def stop_runner(runner):
    """A tools/run started in the background (Popen) stopped, if it still runs:
    SIGTERM, on which it stops its emulator, then SIGKILL if it does not go."""
    if runner.poll() is None:
        runner.send_signal(signal.SIGTERM)
    try:
        runner.wait(timeout=10)
    except subprocess.TimeoutExpired:
        runner.kill()
        runner.wait()


def run_tool(*args, timeout=60):
    """Run tools/run with arguments; return the CompletedProcess (text)."""
    return subprocess.run([str(RUNNER), *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------- backends

@dataclass(frozen=True)
class Backend:
    """One way to run memvisor: an emulator, how memvisor is started in it and
    the CPU model, which decides the hardware interface memvisor finds."""
    name: str
    emu: str               # tools/run --emu
    image: str             # tools/run --image: iso (GRUB) or efi (the UEFI shell)
    cpu: Optional[str]     # tools/run --cpu; None: the runner's default for emu
    isa: str               # "svm" (AMD SVM + NPT) or "vmx" (Intel VT-x + EPT)
    boot_path: str         # what memvisor's boot line says: how it was started
    family: str            # the pytest mark it runs under: "qemu" or "bochs"

    def boot(self, mem, cmdline, timeout=DEFAULT_TIMEOUT_S, run_args=()):
        """Boot one scenario on this backend. A UEFI-shell boot is skipped when
        build/memvisor.efi is not built."""
        if self.image == "efi" and not EFI_IMAGE.exists():
            pytest.skip("build/memvisor.efi is not built by `make` yet")
        run = boot(self.emu, self.image, mem, cmdline, cpu=self.cpu, timeout=timeout, run_args=run_args)
        run.backend = self.name
        return run


# QEMU TCG offers AMD SVM with nested paging (-cpu max); Bochs' Skylake-X
# model Intel VT-x with EPT, unrestricted guest and EPT A/D bits; Bochs'
# Ryzen model SVM whose XSETBV intercept works (QEMU's TCG ignores it).
BACKENDS = {b.name: b for b in (
    Backend("qemu", "qemu", "iso", None, "svm", "multiboot2/bios", "qemu"),
    Backend("bochs", "bochs", "iso", "corei7_skylake_x", "vmx", "multiboot2/bios", "bochs"),
    Backend("ovmf_iso", "ovmf", "iso", None, "svm", "multiboot2/uefi", "qemu"),
    Backend("ovmf_efi", "ovmf", "efi", None, "svm", "uefi", "qemu"),
    Backend("bochs_svm", "bochs", "iso", "ryzen", "svm", "multiboot2/bios", "bochs"),
)}
DEFAULT_BACKENDS = ("qemu", "bochs")   # the `backend` fixture's (conftest.py): SVM and VMX


def only_on(*names):
    """Marks a test, class or module (pytestmark) to run on these BACKENDS
    only, instead of DEFAULT_BACKENDS: its ids still name the backend."""
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise ValueError(f"only_on: no backend {unknown}: expected some of {sorted(BACKENDS)}")
    return pytest.mark.parametrize("backend", names, indirect=True)


def by_backend(table, backend):
    """table[backend's name] (a Backend, or a Boot's .backend), or a clear
    error naming the backends the table has."""
    name = getattr(backend, "name", backend)
    assert name in table, f"no expectation for backend {name!r}: the table has {sorted(table)}"
    return table[name]


def output_of(run, command):
    """The lines a monitor command (given by script=) printed, up to the next
    prompt or VM line."""
    prompt = f"memvisor> {command}"
    assert prompt in run.lines, f"no prompt line {prompt!r}\n{run.describe()}"
    out = []
    for line in run.lines[run.lines.index(prompt) + 1:]:
        if line.startswith("memvisor> ") or line.startswith("memvisor: [vm"):
            break
        out.append(line)
    return out


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
