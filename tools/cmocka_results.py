#!/usr/bin/python3
"""tools/cmocka_results.py — runs cmocka unit-test programs and reads their
results from the JUnit XML cmocka writes, for `make unit` and for the grader
(tools/labs), so that both count the same way.

Usage: tools/cmocka_results.py [--sources DIR] PROGRAM...
  (`make unit` passes build/tests/unit/test_*; each program's source is
  DIR/PROGRAM.c, DIR by default tests/unit)
Shows what failed and why, keeps each program's output in PROGRAM.log and
its XML in PROGRAM.xml, then prints one line for all of them:

    unit: N passed, M failed

Exit status 0 only if every program ran to its end and every test passed.

cmocka (1.1) writes the XML when CMOCKA_MESSAGE_OUTPUT=xml and
CMOCKA_XML_FILE=PATH are set, once its group of tests has ended: it never
overwrites a file (one already there sends the XML to stderr instead), so
the file is removed before each run. A program that aborts — a sanitizer
report, lab_missing(), a signal — writes no XML: every test its source
lists (cmocka_unit_test*(name) in tests/unit/NAME.c) that the XML does not
show counts as failed and as not run, named with the program and how it
ended ("crashed (signal 11, SIGSEGV)", "crashed (exit status 1)") and the
first line of a sanitizer's or the lab's report.
"""
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT_SOURCES = ROOT / "tests" / "unit"
TIMEOUT_S = 300
# Each entry of a CMUnitTest array: cmocka_unit_test(f), cmocka_unit_test_setup(f, s), ...
LISTED_RE = re.compile(r"\bcmocka_unit_test(?:_setup|_teardown|_setup_teardown|_prestate"
                       r"|_prestate_setup_teardown)?\s*\(\s*(\w+)")


@dataclass
class Case:
    name: str
    outcome: str       # "ok", "FAIL" or "skip"
    why: str = ""      # the failure's message, or why the test never ran
    ran: bool = True   # False: the program ended (crashed, timed out) before this test


@dataclass
class Program:
    path: Path
    status: int        # exit status; negative: killed by that signal
    output: str        # stdout and stderr (cmocka's own goes to the XML)
    cases: list = field(default_factory=list)
    problem: str = ""  # what went wrong with the program as a whole, if anything
    ended: str = ""    # how it ended early, e.g. "crashed (signal 11, SIGSEGV)"; "" if it ran to its end

    @property
    def name(self):
        return self.path.name

    def count(self, outcome):
        return sum(c.outcome == outcome for c in self.cases) + (outcome == "FAIL" and bool(self.problem))


def listed_tests(source):
    """The test names a cmocka source file lists, in order (none if unreadable)."""
    try:
        text = source.read_text(errors="replace")
    except OSError:
        return []
    return list(dict.fromkeys(LISTED_RE.findall(text)))


def how_it_ended(status):
    """A program's early end in words: a negative status is the signal that killed it."""
    if status is None:
        return "timed out"
    if status < 0:
        try:
            return f"crashed (signal {-status}, {signal.Signals(-status).name})"
        except ValueError:
            return f"crashed (signal {-status})"
    return f"crashed (exit status {status})"


# The first line worth quoting from a program that crashed: a sanitizer's
# verdict ("ERROR: AddressSanitizer: heap-use-after-free ..."), a UBSan
# "runtime error", or a skeleton's "lab NAME: not written yet: ...".
REPORT_RE = re.compile(r"(ERROR: \w+Sanitizer: .*|runtime error: .*|lab [\w-]+: not written yet: .*)")


def first_report(output):
    m = REPORT_RE.search(output)
    return m.group(1).strip()[:160] if m else ""


def read_xml(path):
    """Cases from a cmocka JUnit XML file; None if it is missing or malformed."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    cases = []
    for case in root.iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            cases.append(Case(case.get("name"), "FAIL", (bad.text or bad.get("message") or "").strip()))
        elif case.find("skipped") is not None:
            cases.append(Case(case.get("name"), "skip"))
        else:
            cases.append(Case(case.get("name"), "ok"))
    return cases


def run_program(path, source=None):
    """Run one cmocka program (its source: source, or tests/unit/NAME.c);
    return its Program with every test's outcome."""
    path = Path(path)
    source = Path(source) if source else UNIT_SOURCES / f"{path.name}.c"
    xml = path.with_name(path.name + ".xml")
    xml.unlink(missing_ok=True)
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="xml", CMOCKA_XML_FILE=str(xml))
    try:
        done = subprocess.run([str(path)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace", timeout=TIMEOUT_S)
        status, output = done.returncode, done.stdout
    except subprocess.TimeoutExpired as e:
        # What the program printed so far: bytes, even in text mode.
        partial = e.stdout or ""
        status, output = None, partial.decode(errors="replace") if isinstance(partial, bytes) else partial
    except OSError as e:
        return Program(path, None, "", problem=f"cannot run: {e}")
    path.with_name(path.name + ".log").write_text(output)
    program = Program(path, status, output, read_xml(xml) or [])
    ended = status is not None and xml.exists() and program.cases
    if not ended:
        how = how_it_ended(status)
        program.ended = how
        report = first_report(output)
        seen = {c.name for c in program.cases}
        program.cases += [Case(n, "FAIL", f"no result: {path.name} {how} before writing its results"
                               + (f": {report}" if report else ""),
                               ran=False)
                          for n in listed_tests(source) if n not in seen]
        if not program.cases:
            program.problem = f"{path.name} {how}, and {source} lists no test"
    elif status != 0 and not program.count("FAIL"):
        # Every test passed, then the program failed: a sanitizer at exit (leaks).
        program.problem = f"{path.name} exited with status {status} after its tests passed"
    return program


def show(program, out=sys.stdout):
    """What a person needs from one program: its counts, each failure, and
    its own output when something failed (sanitizer reports, lab messages)."""
    failed = program.count("FAIL")
    skipped = program.count("skip")
    out.write(f"unit: {program.name}: {program.count('ok')} passed, {failed} failed"
              + (f", {skipped} skipped" if skipped else "") + "\n")
    for case in program.cases:
        if case.outcome == "FAIL":
            out.write(f"  FAIL {case.name}: " + case.why.replace("\n", "\n    ") + "\n")
    if program.problem:
        out.write(f"  FAIL {program.problem}\n")
    if failed and program.output.strip():
        out.write(f"  output ({program.path}.log):\n")
        out.write("".join(f"    {line}\n" for line in program.output.splitlines()))


def main(argv):
    sources = UNIT_SOURCES
    if argv[:1] == ["--sources"]:
        if len(argv) < 2 or not Path(argv[1]).is_dir():
            sys.stderr.write(f"tools/cmocka_results.py: --sources needs a directory, not {argv[1:2]}\n")
            return 2
        sources, argv = Path(argv[1]), argv[2:]
    if not argv or any(a.startswith("-") for a in argv):
        sys.stderr.write("usage: tools/cmocka_results.py [--sources DIR] PROGRAM...\n")
        return 2
    programs = [run_program(p, sources / f"{Path(p).name}.c") for p in argv]
    for program in programs:
        show(program)
    passed = sum(p.count("ok") for p in programs)
    failed = sum(p.count("FAIL") for p in programs)
    print(f"unit: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
