"""Trading: credentials, signed REST clients per venue, the unwind planner, broker and audit log.

The pure and venue parts only: no store, no account streams (an import contract keeps it so).
They are wired together in ``hedgetui.runtime`` (``Runtime.unwind_service``,
``runtime.unwind.service_for_store``, ``runtime.accounts``) and, for the demo, in
``hedgetui.demo.trading``. Importing this package imports nothing heavy; the submodules pull
in httpx.
"""
