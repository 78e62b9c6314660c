"""Everything Textual: the dashboard app, one module per panel, status bar, themes.

Entry points (imported lazily by the CLI): ``tsdash.ui.launch.run_dashboard(args)`` and
``tsdash.ui.snapshot.run_snapshot(args)``.
"""
