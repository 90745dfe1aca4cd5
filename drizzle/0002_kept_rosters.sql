CREATE TABLE "bakalari_rosters" (
	"school_key" text NOT NULL,
	"group_id" text NOT NULL,
	"class_id" text NOT NULL,
	"members" jsonb NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "bakalari_rosters_school_key_group_id_pk" PRIMARY KEY("school_key","group_id")
);
