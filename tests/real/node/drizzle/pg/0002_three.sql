CREATE TABLE "threes" (
	"id" integer PRIMARY KEY NOT NULL,
	"label" text
);
