-- codi's schema before migrations (sqlite): the DDL `SQLModel.metadata.create_all` emitted at commit 98a5502,
-- frozen so tests/storage/test_migrations.py can make a database of the previous schema. Do not edit.

CREATE TABLE build_evidence (
	id INTEGER NOT NULL,
	"key" VARCHAR(64) NOT NULL,
	created_at DATETIME NOT NULL,
	result VARCHAR(4) NOT NULL,
	image_id VARCHAR(200),
	platform VARCHAR(100) NOT NULL,
	strategy VARCHAR(50) NOT NULL,
	measurements JSON,
	scan JSON,
	sbom_path TEXT,
	log_path TEXT,
	files_path TEXT,
	codi_version VARCHAR(50) NOT NULL,
	module_versions JSON NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT build_evidence_result CHECK (result IN ('pass', 'fail')),
	UNIQUE ("key")
);

CREATE TABLE build_error (
	id INTEGER NOT NULL,
	"key" VARCHAR(64) NOT NULL,
	created_at DATETIME NOT NULL,
	log_tail TEXT NOT NULL,
	reason TEXT NOT NULL,
	PRIMARY KEY (id),
	UNIQUE ("key"),
	FOREIGN KEY("key") REFERENCES build_evidence ("key")
);

CREATE TABLE ranking_run (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	repository VARCHAR(200) NOT NULL,
	head_sha VARCHAR(64) NOT NULL,
	path TEXT NOT NULL,
	source VARCHAR(20) NOT NULL,
	ranked JSON NOT NULL,
	deterministic JSON NOT NULL,
	model VARCHAR(200),
	prompt_tokens INTEGER,
	output_tokens INTEGER,
	latency_s FLOAT,
	fallback_reason TEXT,
	PRIMARY KEY (id)
);

CREATE TABLE build_approval (
	id INTEGER NOT NULL,
	approved_at DATETIME NOT NULL,
	repository VARCHAR(200) NOT NULL,
	pull_number INTEGER NOT NULL,
	head_sha VARCHAR(64) NOT NULL,
	approver VARCHAR(100) NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_build_approval_commit ON build_approval (repository, pull_number, head_sha);
