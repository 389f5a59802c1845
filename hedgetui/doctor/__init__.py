"""``hedgetui doctor``: why the first connection to a real venue fails, step by step.

``verdicts`` is the pure part (each step's verdict and advice, the exit code, the text and
JSON reports); ``probes`` (DNS, TCP, TLS, the websocket, the venue's clock) and
``account_probes`` (the account's keys) do the I/O and turn what happened into
:class:`~hedgetui.doctor.verdicts.Step` values; ``check`` runs them all at once.
"""
