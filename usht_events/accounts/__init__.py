"""Users, roles and logging in."""
