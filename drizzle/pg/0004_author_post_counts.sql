CREATE TABLE "author_post_counts_by_1k_ids" (
	"author_id" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"posts" integer NOT NULL,
	CONSTRAINT "author_post_counts_by_1k_ids_author_id_bucket_pk" PRIMARY KEY("author_id","bucket"),
	CONSTRAINT "author_post_counts_by_1k_ids_posts_not_negative" CHECK ("author_post_counts_by_1k_ids"."posts" >= 0)
);
--> statement-breakpoint
CREATE TABLE "author_post_counts_by_4m_ids" (
	"author_id" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"posts" integer NOT NULL,
	CONSTRAINT "author_post_counts_by_4m_ids_author_id_bucket_pk" PRIMARY KEY("author_id","bucket"),
	CONSTRAINT "author_post_counts_by_4m_ids_posts_not_negative" CHECK ("author_post_counts_by_4m_ids"."posts" >= 0)
);
--> statement-breakpoint
CREATE TABLE "author_post_counts_by_64k_ids" (
	"author_id" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"posts" integer NOT NULL,
	CONSTRAINT "author_post_counts_by_64k_ids_author_id_bucket_pk" PRIMARY KEY("author_id","bucket"),
	CONSTRAINT "author_post_counts_by_64k_ids_posts_not_negative" CHECK ("author_post_counts_by_64k_ids"."posts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "author_post_counts_by_1k_ids" ADD CONSTRAINT "author_post_counts_by_1k_ids_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "author_post_counts_by_4m_ids" ADD CONSTRAINT "author_post_counts_by_4m_ids_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "author_post_counts_by_64k_ids" ADD CONSTRAINT "author_post_counts_by_64k_ids_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE cascade;