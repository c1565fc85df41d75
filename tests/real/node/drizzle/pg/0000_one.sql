CREATE TABLE "ones" (
	"id" integer PRIMARY KEY NOT NULL,
	"label" text
);
