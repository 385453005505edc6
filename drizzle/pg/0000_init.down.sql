DROP TABLE "tokens";--> statement-breakpoint
DROP TABLE "users";--> statement-breakpoint
DROP TABLE "rate_limit_attempts";
