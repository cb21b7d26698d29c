-- SQLite: the control plane's store (prisma/schema.prisma). Applied by server/services/store/migrate.ts.
CREATE TABLE "events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "engine_event_id" INTEGER NOT NULL,
    "time" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "node_id" INTEGER,
    "actor_name" TEXT NOT NULL,
    "actor_interface" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "reason_code" TEXT,
    "reason_message" TEXT,
    "outcome" TEXT NOT NULL,
    "details" JSONB
);
CREATE INDEX "events_time_idx" ON "events"("time");
CREATE INDEX "events_kind_time_idx" ON "events"("kind", "time");
CREATE INDEX "events_node_id_time_idx" ON "events"("node_id", "time");

CREATE TABLE "recovery_runs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "node_id" INTEGER NOT NULL,
    "actor_name" TEXT NOT NULL,
    "actor_interface" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "ended_at" DATETIME,
    "outcome" TEXT NOT NULL,
    "error" TEXT
);

CREATE TABLE "recovery_stages" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "run_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "started_at" DATETIME,
    "ended_at" DATETIME,
    "outcome" TEXT NOT NULL,
    "command" TEXT,
    "exit_code" INTEGER,
    "output" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "recovery_stages_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "recovery_runs" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "recovery_stages_run_id_position_key" ON "recovery_stages"("run_id", "position");

CREATE TABLE "users" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "api_tokens" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "token_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" DATETIME
);
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
