"""What the hedge costs and how it would have held: funding history, carry, stress, recordings.

``model`` holds the shared value types; the venue clients and their cache, the carry figures,
the stress engine and the recorder build on it, each in its own module.
"""
