-- derived: author_post_counts_by_4m_ids, author_post_counts_by_64k_ids, author_post_counts_by_1k_ids (each author's counts of posts, rebuilt from the posts table when migrating)
DROP TABLE `author_post_counts_by_64k_ids`;
--> statement-breakpoint
DROP TABLE `author_post_counts_by_4m_ids`;
--> statement-breakpoint
DROP TABLE `author_post_counts_by_1k_ids`;
