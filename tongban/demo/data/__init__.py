"""Data of the demo city, as plain Python structures (org, people) and JSON (catalogue)."""
