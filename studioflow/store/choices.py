"""The fixed choices of the schema's columns, without the ORM: the CLI offers them at start-up."""

VISIT_STATES = ("active", "completed", "skipped", "untracked")
# What a pipeline's cards are. A job rides exactly one pipeline (job.pipeline_id); a
# client, event or invoice is "tracked" on any number of pipelines of its kind, one
# active stage visit in each.
PIPELINE_KINDS = ("jobs", "clients", "events", "invoices")
NOUN = {"jobs": "job", "clients": "client", "events": "event", "invoices": "invoice"}  # one card of a kind
AUTOMATION_TRIGGERS = ("enter", "complete", "skip", "status")
INVOICE_STATES = ("draft", "sent", "paid", "void")
CHANNELS = ("email", "sms")
OUTBOX_STATES = ("queued", "sending", "sent", "failed", "held", "cancelled")
# The order the outbox shows states in: what needs the user first.
OUTBOX_STATE_ORDER = ("failed", "held", "sending", "queued", "sent", "cancelled")
# What `csv export` writes and `csv import` reads (the CLI offers them without loading the ORM).
CSV_EXPORTS = ("jobs", "clients", "tasks", "events", "invoices", "mileage")
# The fields an import knows, the required ones first.
CSV_FIELDS = {
    "clients": ("name", "email", "phone", "tags", "notes"),
    "jobs": ("title", "pipeline", "stage", "client", "due"),
}
