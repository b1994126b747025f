"""The transport-neutral conversation: (state, event) → (new state, replies)."""
