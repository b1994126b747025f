"""The contest engine: pure Python, standard library only."""
