CREATE TABLE `posts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text(255) NOT NULL,
	`summary` text,
	`body` text NOT NULL,
	`author_id` integer NOT NULL,
	`timestamp` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `posts_author_id_id_idx` ON `posts` (`author_id`,`id`);--> statement-breakpoint
CREATE TABLE `post_counts_by_1k_ids` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`posts` integer NOT NULL,
	CONSTRAINT "post_counts_by_1k_ids_posts_not_negative" CHECK("post_counts_by_1k_ids"."posts" >= 0)
);
--> statement-breakpoint
CREATE TABLE `post_counts_by_4m_ids` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`posts` integer NOT NULL,
	CONSTRAINT "post_counts_by_4m_ids_posts_not_negative" CHECK("post_counts_by_4m_ids"."posts" >= 0)
);
--> statement-breakpoint
CREATE TABLE `post_counts_by_64k_ids` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`posts` integer NOT NULL,
	CONSTRAINT "post_counts_by_64k_ids_posts_not_negative" CHECK("post_counts_by_64k_ids"."posts" >= 0)
);
--> statement-breakpoint
ALTER TABLE `users` ADD `name` text(64);--> statement-breakpoint
ALTER TABLE `users` ADD `location` text(64);--> statement-breakpoint
ALTER TABLE `users` ADD `about_me` text;--> statement-breakpoint
ALTER TABLE `users` ADD `last_seen` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `posts_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every account already there was last seen, as far as anyone knows, when it joined.
UPDATE `users` SET `last_seen` = `created_at`;