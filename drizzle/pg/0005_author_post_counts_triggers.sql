-- drizzle/0008_author_post_counts_triggers.sql on PostgreSQL: each author's posts per bucket of 2^shift ids
-- (shifts 22, 16, 10), kept in the transaction of each write from any replica or plain SQL alike. The upserts lock
-- the rows they count, so concurrent writers count one after the other.
CREATE FUNCTION posts_counted_by_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE author_post_counts_by_4m_ids SET posts = posts - 1 WHERE author_id = OLD.author_id AND bucket = OLD.id >> 22;
    UPDATE author_post_counts_by_64k_ids SET posts = posts - 1 WHERE author_id = OLD.author_id AND bucket = OLD.id >> 16;
    UPDATE author_post_counts_by_1k_ids SET posts = posts - 1 WHERE author_id = OLD.author_id AND bucket = OLD.id >> 10;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO author_post_counts_by_4m_ids AS c (author_id, bucket, posts) VALUES (NEW.author_id, NEW.id >> 22, 1)
      ON CONFLICT (author_id, bucket) DO UPDATE SET posts = c.posts + 1;
    INSERT INTO author_post_counts_by_64k_ids AS c (author_id, bucket, posts) VALUES (NEW.author_id, NEW.id >> 16, 1)
      ON CONFLICT (author_id, bucket) DO UPDATE SET posts = c.posts + 1;
    INSERT INTO author_post_counts_by_1k_ids AS c (author_id, bucket, posts) VALUES (NEW.author_id, NEW.id >> 10, 1)
      ON CONFLICT (author_id, bucket) DO UPDATE SET posts = c.posts + 1;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_counted_by_author_insert AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION posts_counted_by_author();
--> statement-breakpoint
CREATE TRIGGER posts_counted_by_author_delete AFTER DELETE ON posts FOR EACH ROW EXECUTE FUNCTION posts_counted_by_author();
--> statement-breakpoint
-- An id or author changed by hand moves the post between the author's buckets, or to the other author's.
CREATE TRIGGER posts_counted_by_author_move AFTER UPDATE OF id, author_id ON posts FOR EACH ROW
  WHEN (OLD.id <> NEW.id OR OLD.author_id <> NEW.author_id) EXECUTE FUNCTION posts_counted_by_author();
--> statement-breakpoint
-- The counts of the posts already there, in the migration's own transaction.
INSERT INTO author_post_counts_by_1k_ids (author_id, bucket, posts)
  SELECT author_id, id >> 10, count(*) FROM posts GROUP BY author_id, id >> 10;
--> statement-breakpoint
INSERT INTO author_post_counts_by_64k_ids (author_id, bucket, posts)
  SELECT author_id, bucket >> 6, sum(posts) FROM author_post_counts_by_1k_ids GROUP BY author_id, bucket >> 6;
--> statement-breakpoint
INSERT INTO author_post_counts_by_4m_ids (author_id, bucket, posts)
  SELECT author_id, bucket >> 6, sum(posts) FROM author_post_counts_by_64k_ids GROUP BY author_id, bucket >> 6;
