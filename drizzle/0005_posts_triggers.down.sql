DROP TRIGGER `posts_counted_reauthor`;
--> statement-breakpoint
DROP TRIGGER `posts_counted_move`;
--> statement-breakpoint
DROP TRIGGER `posts_counted_delete`;
--> statement-breakpoint
DROP TRIGGER `posts_counted_insert`;
