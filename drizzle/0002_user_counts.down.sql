-- derived: user_counts_by_4m_ids, user_counts_by_64k_ids, user_counts_by_1k_ids (the counts of users, rebuilt from the users table when migrating)
DROP TABLE `user_counts_by_64k_ids`;
--> statement-breakpoint
DROP TABLE `user_counts_by_4m_ids`;
--> statement-breakpoint
DROP TABLE `user_counts_by_1k_ids`;
