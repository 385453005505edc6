-- Reverts 0000_init: the tables go with their indexes; tokens first, since they point at users.
DROP TABLE `tokens`;--> statement-breakpoint
DROP TABLE `users`;
