"""``hedgetui doctor``: why the first connection to a real venue fails, step by step.

``verdicts`` is the pure part (each step's verdict and advice, the exit code, the text and
JSON reports); ``probes`` does the I/O (DNS, TCP, TLS, the websocket, the venue's clock, the
account's keys) and turns what happened into :class:`~hedgetui.doctor.verdicts.Step` values.
"""
