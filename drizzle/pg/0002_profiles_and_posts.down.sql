-- derived: post_counts_by_4m_ids, post_counts_by_64k_ids, post_counts_by_1k_ids, users.posts_count, users.last_seen (the counts are rebuilt from the rows; last_seen is set from created_at when migrating, only the latest activity time goes)
DROP TABLE "post_counts_by_1k_ids";
--> statement-breakpoint
DROP TABLE "post_counts_by_4m_ids";
--> statement-breakpoint
DROP TABLE "post_counts_by_64k_ids";
--> statement-breakpoint
DROP TABLE "posts";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "posts_count";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "last_seen";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "about_me";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "location";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "name";
