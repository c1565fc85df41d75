CREATE TABLE `twos` (
	`id` integer PRIMARY KEY NOT NULL,
	`label` text
);
