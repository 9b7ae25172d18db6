"""pytest's hooks and fixtures for the system tests (helpers: memvisor.py).

Run with: /usr/bin/python3 -m pytest tests/system  (options in pytest.ini at the tree's root)

  backend: a module-scoped fixture, parametrized over DEFAULT_BACKENDS (or
      what only_on() names); a test's id ends with the backend, e.g. [qemu]
  Every test gets the mark of the emulator it boots (qemu or bochs: select
  with -m) and an xdist_group per (module, backend): with --dist loadgroup
  one worker boots each (scenario, backend) once, and the two backends of
  a feature may run side by side. Bochs groups are handed out first, those
  marked slow_boot before the others: they are the long ones.
  The time from emulator start to the kernel's first line is printed per boot
  (pytest -s) and listed at the end of the run.
"""

import pytest

import memvisor
from memvisor import BACKENDS, DEFAULT_BACKENDS


@pytest.fixture(scope="module", params=DEFAULT_BACKENDS)
def backend(request):
    """The Backend (memvisor.BACKENDS) this module's boots run on."""
    if request.param not in BACKENDS:
        raise ValueError(f"no backend {request.param!r}: expected one of {sorted(BACKENDS)}")
    return BACKENDS[request.param]


def backend_of(item):
    """The BACKENDS entry an item runs on, or None (it boots nothing, or
    names its emulator itself)."""
    params = getattr(item, "callspec", None)
    name = params.params.get("backend") if params else None
    return BACKENDS.get(name) if isinstance(name, str) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Marks each item with its emulator and its (module, backend) group:
    first, so that xdist's own hook finds the group."""
    for item in items:
        backend = backend_of(item)
        module = item.module.__name__ if item.module else item.nodeid.split("::")[0]
        if backend:
            item.add_marker(backend.family)
        group = f"{module}-{backend.name}" if backend else module
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))


class LongestFirst:
    """Puts the Bochs groups first, those of boots of minutes (slow_boot)
    before the rest: a worker that starts the longest boots first does not
    end alone with one of them. Last among the hooks, after pytest's own
    reordering (each module-scoped fixture's param contiguous), which the
    stable sort keeps within each group."""

    @staticmethod
    def rank(item):
        if not item.get_closest_marker("bochs"):
            return 2
        return 0 if item.get_closest_marker("slow_boot") else 1

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        items.sort(key=self.rank)


def pytest_configure(config):
    config.pluginmanager.register(LongestFirst(), "memvisor-longest-first")


# ---------------------------------------------------------------- timing summary

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Carry boot timings to the report (xdist sends reports to the controller)."""
    outcome = yield
    report = outcome.get_result()
    if memvisor.unreported_timings:
        report.user_properties = list(report.user_properties) + \
            [("boot-timing", t) for t in memvisor.unreported_timings]
        memvisor.unreported_timings.clear()


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
