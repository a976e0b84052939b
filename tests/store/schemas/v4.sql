-- The schema released as version 4: never edit; the migrations from version 4 start here.
CREATE TABLE client (
	id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	email VARCHAR NOT NULL, 
	phone VARCHAR NOT NULL, 
	tags JSON NOT NULL, 
	notes VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT client_name_not_empty CHECK (length(trim(name)) > 0)
);
CREATE INDEX ix_client_name ON client (name);
CREATE TABLE pipeline (
	id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	position INTEGER NOT NULL, 
	archived BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT pipeline_name_not_empty CHECK (length(trim(name)) > 0), 
	UNIQUE (name)
);
CREATE TABLE job_status (
	id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	colour VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT job_status_name_not_empty CHECK (length(trim(name)) > 0), 
	UNIQUE (name)
);
CREATE TABLE saved_task_list (
	id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT saved_task_list_name_not_empty CHECK (length(trim(name)) > 0), 
	UNIQUE (name)
);
CREATE TABLE message_template (
	id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	channel VARCHAR NOT NULL, 
	subject VARCHAR NOT NULL, 
	body VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT message_template_name_not_empty CHECK (length(trim(name)) > 0), 
	CONSTRAINT message_template_channel_known CHECK (channel IN ('email', 'sms')), 
	UNIQUE (name)
);
CREATE TABLE setting (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE journal_entry (
	id INTEGER NOT NULL, 
	label VARCHAR NOT NULL, 
	"before" JSON NOT NULL, 
	"after" JSON NOT NULL, 
	effects JSON NOT NULL, 
	undone BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX journal_by_state ON journal_entry (undone, id);
CREATE TABLE stage (
	id INTEGER NOT NULL, 
	pipeline_id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	position INTEGER NOT NULL, 
	due_in_days INTEGER, 
	auto_move BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT stage_name_not_empty CHECK (length(trim(name)) > 0), 
	CONSTRAINT stage_due_in_days_positive CHECK (due_in_days IS NULL OR due_in_days >= 0), 
	CONSTRAINT stage_name_unique_in_pipeline UNIQUE (pipeline_id, name), 
	CONSTRAINT stage_id_pipeline UNIQUE (id, pipeline_id), 
	FOREIGN KEY(pipeline_id) REFERENCES pipeline (id) ON DELETE CASCADE
);
CREATE INDEX stage_by_pipeline ON stage (pipeline_id, position);
CREATE TABLE saved_task_item (
	id INTEGER NOT NULL, 
	list_id INTEGER NOT NULL, 
	title VARCHAR NOT NULL, 
	due_offset_days INTEGER, 
	position INTEGER NOT NULL, 
	priority INTEGER DEFAULT '0' NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT saved_task_item_title_not_empty CHECK (length(trim(title)) > 0), 
	CONSTRAINT saved_task_offset_positive CHECK (due_offset_days IS NULL OR due_offset_days >= 0), 
	CONSTRAINT saved_task_priority_range CHECK (priority BETWEEN 0 AND 3), 
	FOREIGN KEY(list_id) REFERENCES saved_task_list (id) ON DELETE CASCADE
);
CREATE INDEX item_by_list ON saved_task_item (list_id, position);
CREATE TABLE automation (
	id INTEGER NOT NULL, 
	stage_id INTEGER NOT NULL, 
	"trigger" VARCHAR NOT NULL, 
	status_id INTEGER, 
	action VARCHAR NOT NULL, 
	params JSON NOT NULL, 
	delay_minutes INTEGER NOT NULL, 
	required_tags JSON NOT NULL, 
	keep_on_leave BOOLEAN NOT NULL, 
	enabled BOOLEAN NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT automation_trigger_known CHECK (trigger IN ('enter', 'complete', 'skip', 'status')), 
	CONSTRAINT automation_action_known CHECK (action IN ('send_email', 'send_sms', 'create_tasks', 'set_status', 'set_due', 'move_to_pipeline', 'archive')), 
	CONSTRAINT automation_status_trigger_has_status CHECK ((trigger = 'status') = (status_id IS NOT NULL)), 
	CONSTRAINT automation_delay_positive CHECK (delay_minutes >= 0), 
	FOREIGN KEY(stage_id) REFERENCES stage (id) ON DELETE CASCADE, 
	FOREIGN KEY(status_id) REFERENCES job_status (id) ON DELETE CASCADE
);
CREATE INDEX automation_by_stage ON automation (stage_id, position);
CREATE TABLE job (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	title VARCHAR NOT NULL, 
	client_id INTEGER, 
	pipeline_id INTEGER NOT NULL, 
	stage_id INTEGER NOT NULL, 
	status_id INTEGER, 
	due_on DATE, 
	position INTEGER NOT NULL, 
	archived BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	notes VARCHAR DEFAULT '' NOT NULL, 
	CONSTRAINT job_title_not_empty CHECK (length(trim(title)) > 0), 
	CONSTRAINT job_stage_in_pipeline FOREIGN KEY(stage_id, pipeline_id) REFERENCES stage (id, pipeline_id), 
	FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE SET NULL, 
	FOREIGN KEY(pipeline_id) REFERENCES pipeline (id), 
	FOREIGN KEY(status_id) REFERENCES job_status (id) ON DELETE SET NULL
);
CREATE INDEX ix_job_client_id ON job (client_id);
CREATE INDEX job_by_pipeline ON job (pipeline_id, archived, stage_id);
CREATE INDEX job_by_column ON job (stage_id, archived, position);
CREATE TABLE job_client (
	id INTEGER NOT NULL, 
	job_id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	role VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT job_client_once UNIQUE (job_id, client_id), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE, 
	FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE CASCADE
);
CREATE INDEX job_client_by_client ON job_client (client_id);
CREATE TABLE stage_visit (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	job_id INTEGER NOT NULL, 
	stage_id INTEGER, 
	stage_name VARCHAR NOT NULL, 
	state VARCHAR NOT NULL, 
	entered_at DATETIME NOT NULL, 
	left_at DATETIME, 
	CONSTRAINT stage_visit_state_known CHECK (state IN ('active', 'completed', 'skipped')), 
	CONSTRAINT stage_visit_open_iff_active CHECK ((state = 'active') = (left_at IS NULL)), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE, 
	FOREIGN KEY(stage_id) REFERENCES stage (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX one_active_visit_per_job ON stage_visit (job_id) WHERE state = 'active';
CREATE INDEX visit_by_job ON stage_visit (job_id, id);
CREATE TABLE event (
	id INTEGER NOT NULL, 
	job_id INTEGER, 
	client_id INTEGER, 
	title VARCHAR NOT NULL, 
	starts_at DATETIME NOT NULL, 
	ends_at DATETIME, 
	location VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT event_title_not_empty CHECK (length(trim(title)) > 0), 
	CONSTRAINT event_ends_after_start CHECK (ends_at IS NULL OR ends_at >= starts_at), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE, 
	FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE SET NULL
);
CREATE INDEX ix_event_job_id ON event (job_id);
CREATE INDEX event_by_start ON event (starts_at);
CREATE TABLE invoice (
	id INTEGER NOT NULL, 
	job_id INTEGER, 
	client_id INTEGER, 
	number VARCHAR NOT NULL, 
	issued_on DATE NOT NULL, 
	due_on DATE, 
	status VARCHAR NOT NULL, 
	tax_rate_bp INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT invoice_number_not_empty CHECK (length(trim(number)) > 0), 
	CONSTRAINT invoice_status_known CHECK (status IN ('draft', 'sent', 'paid', 'void')), 
	CONSTRAINT invoice_due_after_issue CHECK (due_on IS NULL OR due_on >= issued_on), 
	CONSTRAINT invoice_tax_rate_positive CHECK (tax_rate_bp >= 0), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE SET NULL, 
	FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE SET NULL, 
	UNIQUE (number)
);
CREATE INDEX ix_invoice_job_id ON invoice (job_id);
CREATE INDEX ix_invoice_client_id ON invoice (client_id);
CREATE TABLE automation_run (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	automation_id INTEGER NOT NULL, 
	visit_id INTEGER NOT NULL, 
	ran_at DATETIME NOT NULL, 
	outcome VARCHAR NOT NULL, 
	CONSTRAINT automation_once_per_visit UNIQUE (automation_id, visit_id), 
	FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE, 
	FOREIGN KEY(visit_id) REFERENCES stage_visit (id) ON DELETE CASCADE
);
CREATE INDEX ix_automation_run_visit_id ON automation_run (visit_id);
CREATE TABLE invoice_line (
	id INTEGER NOT NULL, 
	invoice_id INTEGER NOT NULL, 
	description VARCHAR NOT NULL, 
	quantity INTEGER NOT NULL, 
	unit_price_cents INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT invoice_line_quantity_positive CHECK (quantity > 0), 
	CONSTRAINT invoice_line_price_positive CHECK (unit_price_cents >= 0), 
	FOREIGN KEY(invoice_id) REFERENCES invoice (id) ON DELETE CASCADE
);
CREATE INDEX line_by_invoice ON invoice_line (invoice_id, position);
CREATE TABLE mileage_log (
	id INTEGER NOT NULL, 
	job_id INTEGER, 
	event_id INTEGER, 
	trip_on DATE NOT NULL, 
	distance FLOAT NOT NULL, 
	unit VARCHAR NOT NULL, 
	purpose VARCHAR NOT NULL, 
	rate_cents INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT mileage_distance_positive CHECK (distance >= 0), 
	CONSTRAINT mileage_rate_positive CHECK (rate_cents >= 0), 
	CONSTRAINT mileage_log_unit_known CHECK (unit IN ('mi', 'km')), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE, 
	FOREIGN KEY(event_id) REFERENCES event (id) ON DELETE SET NULL
);
CREATE INDEX ix_mileage_log_job_id ON mileage_log (job_id);
CREATE TABLE project (
	id INTEGER NOT NULL, 
	name VARCHAR COLLATE "NOCASE" NOT NULL, 
	job_id INTEGER, 
	client_id INTEGER, 
	event_id INTEGER, 
	invoice_id INTEGER, 
	archived BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT project_name_not_empty CHECK (length(trim(name)) > 0), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE, 
	FOREIGN KEY(client_id) REFERENCES client (id) ON DELETE SET NULL, 
	FOREIGN KEY(event_id) REFERENCES event (id) ON DELETE SET NULL, 
	FOREIGN KEY(invoice_id) REFERENCES invoice (id) ON DELETE SET NULL
);
CREATE INDEX ix_project_name ON project (name);
CREATE INDEX ix_project_job_id ON project (job_id);
CREATE TABLE outbox_message (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	idempotency_key VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	to_addr VARCHAR NOT NULL, 
	subject VARCHAR NOT NULL, 
	body VARCHAR NOT NULL, 
	job_id INTEGER, 
	automation_id INTEGER, 
	visit_id INTEGER, 
	cancel_on_leave BOOLEAN NOT NULL, 
	state VARCHAR NOT NULL, 
	send_at DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error VARCHAR NOT NULL, 
	message_id VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	reply VARCHAR DEFAULT '' NOT NULL, 
	CONSTRAINT outbox_message_channel_known CHECK (channel IN ('email', 'sms')), 
	CONSTRAINT outbox_message_state_known CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'held', 'cancelled')), 
	CONSTRAINT outbox_attempts_positive CHECK (attempts >= 0), 
	UNIQUE (idempotency_key), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE SET NULL, 
	FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE SET NULL, 
	FOREIGN KEY(visit_id) REFERENCES stage_visit (id) ON DELETE SET NULL
);
CREATE INDEX ix_outbox_message_job_id ON outbox_message (job_id);
CREATE INDEX ix_outbox_message_visit_id ON outbox_message (visit_id);
CREATE INDEX outbox_due ON outbox_message (state, send_at);
CREATE TABLE task (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	title VARCHAR NOT NULL, 
	job_id INTEGER, 
	project_id INTEGER, 
	due_on DATE, 
	done_at DATETIME, 
	priority INTEGER NOT NULL, 
	notes VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	run_id INTEGER, 
	CONSTRAINT task_title_not_empty CHECK (length(trim(title)) > 0), 
	CONSTRAINT task_priority_range CHECK (priority BETWEEN 0 AND 3), 
	FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE, 
	FOREIGN KEY(project_id) REFERENCES project (id) ON DELETE CASCADE, 
	FOREIGN KEY(run_id) REFERENCES automation_run (id) ON DELETE SET NULL
);
CREATE INDEX task_by_job ON task (job_id, position);
CREATE INDEX task_open_by_due ON task (done_at, due_on);
CREATE INDEX ix_task_run_id ON task (run_id);
CREATE INDEX task_by_project ON task (project_id, position);
