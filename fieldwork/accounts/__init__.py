"""Staff accounts: users with a role, argon2id password hashes, server-side sessions."""
