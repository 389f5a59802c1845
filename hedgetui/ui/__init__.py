"""The live dashboard (Textual): the app, its widgets and screens, and the one door to
Textual's private API (:mod:`hedgetui.ui.textual_fast`)."""
