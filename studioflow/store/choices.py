"""The fixed choices of the schema's columns, without the ORM: the CLI offers them at start-up."""

VISIT_STATES = ("active", "completed", "skipped")
AUTOMATION_TRIGGERS = ("enter", "complete", "skip", "status")
AUTOMATION_ACTIONS = (
    "send_email",
    "send_sms",
    "create_tasks",
    "set_status",
    "set_due",
    "move_to_pipeline",
    "archive",
)
INVOICE_STATES = ("draft", "sent", "paid", "void")
CHANNELS = ("email", "sms")
OUTBOX_STATES = ("queued", "sending", "sent", "failed", "held", "cancelled")
# The order the outbox shows states in: what needs the user first.
OUTBOX_STATE_ORDER = ("failed", "held", "sending", "queued", "sent", "cancelled")
