CREATE TABLE `author_post_counts_by_1k_ids` (
	`author_id` integer NOT NULL,
	`bucket` integer NOT NULL,
	`posts` integer NOT NULL,
	PRIMARY KEY(`author_id`, `bucket`),
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE cascade ON DELETE cascade,
	CONSTRAINT "author_post_counts_by_1k_ids_posts_not_negative" CHECK("author_post_counts_by_1k_ids"."posts" >= 0)
);
--> statement-breakpoint
CREATE TABLE `author_post_counts_by_4m_ids` (
	`author_id` integer NOT NULL,
	`bucket` integer NOT NULL,
	`posts` integer NOT NULL,
	PRIMARY KEY(`author_id`, `bucket`),
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE cascade ON DELETE cascade,
	CONSTRAINT "author_post_counts_by_4m_ids_posts_not_negative" CHECK("author_post_counts_by_4m_ids"."posts" >= 0)
);
--> statement-breakpoint
CREATE TABLE `author_post_counts_by_64k_ids` (
	`author_id` integer NOT NULL,
	`bucket` integer NOT NULL,
	`posts` integer NOT NULL,
	PRIMARY KEY(`author_id`, `bucket`),
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE cascade ON DELETE cascade,
	CONSTRAINT "author_post_counts_by_64k_ids_posts_not_negative" CHECK("author_post_counts_by_64k_ids"."posts" >= 0)
);
