"""Controllers: reconcile functions that run beside the API in threads, each a
small delay after the objects they watch change. Every module in this package
is imported at start; see runtime.controller for how to add one."""
