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
