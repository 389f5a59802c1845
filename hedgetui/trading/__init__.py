"""Trading: credentials, signed REST clients per venue, the unwind planner, broker and audit log.

Entry points: ``session.demo_trading`` / ``session.service_for_store`` build an
``service.UnwindService`` (used by ``hedgetui unwind`` and ``hedgetui.ui.unwind_screen``);
``session.account_pollers`` feeds account positions/balances into the store. Importing this
package imports nothing heavy; the submodules pull in httpx.
"""
