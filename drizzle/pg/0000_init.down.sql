-- derived: user_counts_by_1k_ids, user_counts_by_64k_ids, user_counts_by_4m_ids, rate_limit_attempts (counts rebuilt from users, and short-lived rate-limit attempts)
DROP TABLE "tokens";--> statement-breakpoint
DROP TABLE "users";--> statement-breakpoint
DROP TABLE "user_counts_by_1k_ids";--> statement-breakpoint
DROP TABLE "user_counts_by_64k_ids";--> statement-breakpoint
DROP TABLE "user_counts_by_4m_ids";--> statement-breakpoint
DROP TABLE "rate_limit_attempts";
