CREATE TABLE "bakalari_public_timetables" (
	"school_key" text PRIMARY KEY NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	"view" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "coverage" jsonb;