-- derived: users.username_key, users.email_key (filled from username and email when migrating; dropping them loses nothing)
DROP INDEX `users_username_key_unique`;--> statement-breakpoint
DROP INDEX `users_email_key_unique`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `username_key`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `email_key`;--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (lower("username"));--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (lower("email"));
