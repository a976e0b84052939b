"""Domain services: every change of state goes through here, one transaction per call.

No Textual import: the CLI and the TUI are two faces over these functions.
"""
