-- derived: author_post_counts_by_4m_ids, author_post_counts_by_64k_ids, author_post_counts_by_1k_ids (each author's counts of posts, rebuilt from the posts table when migrating)
DROP TRIGGER `posts_counted_by_author_move`;
--> statement-breakpoint
DROP TRIGGER `posts_counted_by_author_delete`;
--> statement-breakpoint
DROP TRIGGER `posts_counted_by_author_insert`;
--> statement-breakpoint
DELETE FROM `author_post_counts_by_4m_ids`;
--> statement-breakpoint
DELETE FROM `author_post_counts_by_64k_ids`;
--> statement-breakpoint
DELETE FROM `author_post_counts_by_1k_ids`;
