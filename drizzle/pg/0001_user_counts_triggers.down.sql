-- derived: user_counts_by_4m_ids, user_counts_by_64k_ids, user_counts_by_1k_ids (the counts of users, rebuilt from the users table when migrating)
DROP TRIGGER users_counted_move ON users;
--> statement-breakpoint
DROP TRIGGER users_counted_delete ON users;
--> statement-breakpoint
DROP TRIGGER users_counted_insert ON users;
--> statement-breakpoint
DROP FUNCTION users_counted();
--> statement-breakpoint
DELETE FROM user_counts_by_4m_ids;
--> statement-breakpoint
DELETE FROM user_counts_by_64k_ids;
--> statement-breakpoint
DELETE FROM user_counts_by_1k_ids;
