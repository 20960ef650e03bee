"""Fixtures for integration runs: an Ansible runner bound to the emulator, with write guards.
With KS_REAL_HOST set, the same tests run against that real KubeSphere instead (real_server.py)."""

import pytest

import real_server
from ks_ansible import Ansible, write_guard

if real_server.enabled():
    @pytest.fixture(scope="session")
    def real_ks():
        """The real server behind our proxy; what the run created is deleted at the end."""
        server = real_server.server()
        yield server
        server.cleanup()

    @pytest.fixture(scope="session")
    def emulator(real_ks):
        """The real server, standing for the session emulator (KubeSphere 4.1)."""
        return real_ks.check_options({})

    @pytest.fixture
    def fresh_emulator(real_ks):
        """The real server again (there is one), when it can stand for an emulator with these options."""
        return lambda **options: real_ks.check_options(options)

    @pytest.fixture(autouse=True)
    def _real_server_test_state():
        if real_server.CURRENT is not None:
            real_server.CURRENT.begin_test()
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        """A test that met a cluster the server has not joined or a member whose controllers do not run, or
        tried a wrong admin password (refused by the harness), reports as skipped with that reason: its
        outcome says nothing about the collection."""
        outcome = yield
        report = outcome.get_result()
        state = real_server.CURRENT.test_state if real_server.CURRENT is not None else {}
        if call.when != "call" or report.skipped:
            return
        reason = None
        if state.get("refused_admin_logins"):
            reason = "sends a wrong password for the admin, which a shared real server must not count"
        elif report.failed and state.get("missing_clusters"):
            reason = "needs member cluster(s) %s, which the real server has not joined" % ", ".join(
                sorted(state["missing_clusters"]))
        elif report.failed and real_server.CURRENT.unjoined_members_named(report.longreprtext):
            reason = "needs member cluster(s) %s, which the real server has not joined" % ", ".join(
                real_server.CURRENT.unjoined_members_named(report.longreprtext))
        elif report.failed and real_server.CURRENT.members_without_controllers(state.get("members_touched", ())):
            reason = ("needs member cluster(s) %s with their ks-controller-manager running (the realks member "
                      "runs none, so its projects never get their built-in roles)" % ", ".join(
                          real_server.CURRENT.members_without_controllers(state["members_touched"])))
        if reason:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.location[1] or 0, "Skipped: " + reason)


@pytest.fixture
def ansible(emulator, tmp_path):
    emulator.reset_counters()
    return Ansible(emulator, tmp_path)


@pytest.fixture
def no_writes(emulator):
    """Inside this context any write request to the emulator is refused (500) and the test fails."""

    return lambda: write_guard(emulator)
