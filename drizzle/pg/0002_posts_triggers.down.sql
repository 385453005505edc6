DROP TRIGGER posts_counted ON posts;
--> statement-breakpoint
DROP FUNCTION posts_counted();
