"""Everything that does I/O around the pure `quiz` core."""
