"""IAM domain rules shared by the kapis handlers, /apis admission and controllers."""
