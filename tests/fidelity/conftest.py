def pytest_terminal_summary(terminalreporter):
    from .test_recordings import SUMMARY
    if not SUMMARY:
        return
    matching = sum(m for m, _t in SUMMARY.values())
    total = sum(t for _m, t in SUMMARY.values())
    per_file = ", ".join(f"{name} {m}/{t}" for name, (m, t) in sorted(SUMMARY.items()))
    terminalreporter.write_line(f"fidelity: {matching}/{total} recorded exchanges replayed and matching ({per_file})")
