"""hedgetui: watch and manage a spot crypto position hedged with inverse perpetuals."""

__version__ = "0.1.0"
