"""Failed guesses at secrets (passwords, resume codes), counted so that guessing is slow."""
