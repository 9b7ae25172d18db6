"""Lab 7's handout (docs/labs/7-host-swap.md), its commands run as written.

The ```console blocks are read as tests/system/test_lab0_tools.py reads
lab 0's: "$ CMD" runs in the tree, the lines after it must be printed in
that order ("…" for any text). The swap-out at zipmix's mark boots QEMU for
about a second; exercise 7.3's two runs of scenario=swap (victims by the
clock and at random, the commands a student answers questions 1 and 2
with) take about 12 s each under QEMU and run with the slow tests
(`make soak`, MEMVISOR_SLOW=1), as scenario=swap under Bochs does in
tests/system/test_swap.py."""
import os

import pytest
from memvisor import ROOT
from test_lab0_tools import assert_prints_in_order, handout_steps, run_shell

HANDOUT = ROOT / "docs" / "labs" / "7-host-swap.md"
STEPS = handout_steps(HANDOUT.read_text())
SLOW = bool(os.environ.get("MEMVISOR_SLOW"))


def test_the_handout_has_the_measured_exercise_and_the_swap_out():
    commands = [s.command for s in STEPS]
    for victims in ("clock", "random"):
        assert any(f"scenario=swap swap_victims={victims}" in c for c in commands), \
            f"expected a step running scenario=swap with swap_victims={victims} in {HANDOUT.name}, seen {commands}"
    assert any("swap out " in c for c in commands), f"expected a step with the monitor's swap out, seen {commands}"
    assert all(s.expected for s in STEPS), "every step must say what it prints"


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[s.command.split("--cmdline ")[-1][:40] for s in STEPS])
def test_a_handout_step_prints_what_it_says(index):
    step = STEPS[index]
    if "scenario=swap" in step.command and not SLOW:
        pytest.skip("scenario=swap's runs are slow: `make soak` (MEMVISOR_SLOW=1) runs them")
    assert_prints_in_order(step, run_shell(step))
