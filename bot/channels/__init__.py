"""Channels turn platform events into engine events and render the engine's replies."""
