"""Kind declarations, one module per API group. Every module here is imported at
start (see emulator.loader), so adding a file is enough to add kinds."""
