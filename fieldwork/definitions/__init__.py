"""Questionnaire versions in storage: what was loaded, and which version is current."""
