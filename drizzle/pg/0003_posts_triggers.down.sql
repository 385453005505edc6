DROP TRIGGER posts_counted_move ON posts;
--> statement-breakpoint
DROP TRIGGER posts_counted_delete ON posts;
--> statement-breakpoint
DROP TRIGGER posts_counted_insert ON posts;
--> statement-breakpoint
DROP FUNCTION posts_counted();
