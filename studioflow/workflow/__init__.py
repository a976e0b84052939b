"""Domain services: every change of state goes through here, one transaction per call.

No Textual import: the CLI and the TUI are two faces over these functions.

Grouped by feature, one folder each (jobs, automations, tasks, board, people, schedule,
money, files); `views` and `lookup` are shared by all of them.
"""
