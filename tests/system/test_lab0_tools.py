"""Lab 0's handout (docs/labs/0-tools.md), run as written.

Every ```console block of the handout is a list of steps: a line "$ CMD" is a
shell command run in the tree, the lines after it what it must print, in
that order, other lines in between allowed; "…" in a line stands for any
text, and a line that is only "…" marks lines left out. "(gdb) CMD" lines
after `$ make debug CMDLINE=... GUEST_SYMBOLS=...` are typed at gdb's
prompt: the test starts what `make debug` starts (tools/run --gdb and gdb
with tools/gdb/memvisor.gdb), on a free port instead of 1234 so that
parallel runs do not collide, with gdb in batch mode given those same
commands. A step whose output misses a line fails naming the line and
showing the output."""
import re
import shlex
import subprocess
from dataclasses import dataclass, field

import pytest

from memvisor import ROOT, RUNNER, stop_runner
from test_gdb import free_port, gdb_batch

HANDOUT = ROOT / "docs" / "labs" / "0-tools.md"
ELLIPSIS = "…"
STEP_TIMEOUT_S = 180
GDB_TIMEOUT_S = 60


@dataclass
class Step:
    command: str
    gdb: list = field(default_factory=list)
    expected: list = field(default_factory=list)


def handout_steps(text):
    steps = []
    for block in re.findall(r"^```console\n(.*?)^```$", text, re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:]))
            elif line.startswith("(gdb) "):
                steps[-1].gdb.append(line[len("(gdb) "):])
            elif line.strip() not in ("", ELLIPSIS):
                steps[-1].expected.append(line)
    return steps


STEPS = handout_steps(HANDOUT.read_text())


def line_pattern(line):
    return re.compile("^" + ".*".join(map(re.escape, line.rstrip().split(ELLIPSIS))) + "$")


def assert_prints_in_order(step, output):
    """Each expected line matches a line of output after the previous one's."""
    lines = [l.rstrip() for l in output.splitlines()]
    at = 0
    for want in step.expected:
        pattern = line_pattern(want)
        found = next((i for i in range(at, len(lines)) if pattern.match(lines[i])), None)
        assert found is not None, (f"`{step.command}`: expected a line {want!r} after line {at} of its output, "
                                   f"seen none; its output:\n" + "\n".join(lines[-80:]))
        at = found + 1


def run_shell(step):
    done = subprocess.run(["bash", "-c", step.command], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    assert done.returncode == 0, (f"`{step.command}` exited {done.returncode}, expected 0\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return done.stdout + done.stderr


def run_debug(step):
    """What `make debug CMDLINE=... GUEST_SYMBOLS=...` starts, gdb given the step's commands."""
    settings = dict(word.split("=", 1) for word in shlex.split(step.command)[2:])
    port = free_port()
    runner = subprocess.Popen([str(RUNNER), "--gdb-port", str(port), "--quiet",
                               "--cmdline", settings.get("CMDLINE", "")],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    cmd = gdb_batch(port, settings.get("GUEST_SYMBOLS", ""))
    for command in step.gdb:
        cmd += ["-ex", command]
    try:
        done = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=GDB_TIMEOUT_S)
    finally:
        stop_runner(runner)
    return done.stdout


def test_the_handout_has_steps_for_each_tool():
    commands = [s.command.split()[0:2] for s in STEPS]
    for want in (["make", "run"], ["tools/run", "--cmdline"], ["make", "debug"], ["tools/stats-plot"]):
        assert any(c[:len(want)] == want for c in commands), \
            f"expected a step running {' '.join(want)} in {HANDOUT.name}, seen {commands}"
    assert all(s.expected or s.command.startswith("tools/run --quiet") for s in STEPS), \
        "every step but a quiet run must say what it prints"


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[s.command.split(" --")[0][:40] for s in STEPS])
def test_a_handout_step_prints_what_it_says(index):
    step = STEPS[index]
    output = run_debug(step) if step.command.startswith("make debug") else run_shell(step)
    assert_prints_in_order(step, output)
