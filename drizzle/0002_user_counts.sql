CREATE TABLE `user_counts_by_1k_ids` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`users` integer NOT NULL,
	CONSTRAINT "user_counts_by_1k_ids_users_not_negative" CHECK("user_counts_by_1k_ids"."users" >= 0)
);
--> statement-breakpoint
CREATE TABLE `user_counts_by_4m_ids` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`users` integer NOT NULL,
	CONSTRAINT "user_counts_by_4m_ids_users_not_negative" CHECK("user_counts_by_4m_ids"."users" >= 0)
);
--> statement-breakpoint
CREATE TABLE `user_counts_by_64k_ids` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`users` integer NOT NULL,
	CONSTRAINT "user_counts_by_64k_ids_users_not_negative" CHECK("user_counts_by_64k_ids"."users" >= 0)
);
