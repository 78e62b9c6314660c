"""Alerts and notifications, without Textual: the rules and when they fire, the notifications
and their journal, and how a desktop notification reaches the trader (design.md, "Alerts and
notifications"). The dashboard (``tsdash.ui``) feeds quotes and order updates in and shows what
comes out; ``tsdash alerts`` reads the same files with no dashboard running.
"""
