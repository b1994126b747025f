"""The parts of bench/e2e.py: the fake Bot API, simulated citizens, load shapes, processes, seeding."""
