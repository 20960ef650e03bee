"""Authentication: OAuth tokens, HTTP Basic, password logins and lock-out."""
