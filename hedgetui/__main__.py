"""`python -m hedgetui` is the same as the `hedgetui` command."""

from hedgetui.cli import main

raise SystemExit(main())
