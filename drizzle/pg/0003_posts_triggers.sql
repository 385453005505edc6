-- drizzle/0005_posts_triggers.sql on PostgreSQL: posts' counts per bucket of 2^shift ids (shifts 22, 16, 10) and
-- each author's posts_count, kept in the transaction of each write, from any replica or plain SQL alike. The
-- upserts and the author's row update lock what they count, so concurrent writers count one after the other.
CREATE FUNCTION posts_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE post_counts_by_4m_ids SET posts = posts - 1 WHERE bucket = OLD.id >> 22;
    UPDATE post_counts_by_64k_ids SET posts = posts - 1 WHERE bucket = OLD.id >> 16;
    UPDATE post_counts_by_1k_ids SET posts = posts - 1 WHERE bucket = OLD.id >> 10;
    UPDATE users SET posts_count = posts_count - 1 WHERE id = OLD.author_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO post_counts_by_4m_ids AS c (bucket, posts) VALUES (NEW.id >> 22, 1)
      ON CONFLICT (bucket) DO UPDATE SET posts = c.posts + 1;
    INSERT INTO post_counts_by_64k_ids AS c (bucket, posts) VALUES (NEW.id >> 16, 1)
      ON CONFLICT (bucket) DO UPDATE SET posts = c.posts + 1;
    INSERT INTO post_counts_by_1k_ids AS c (bucket, posts) VALUES (NEW.id >> 10, 1)
      ON CONFLICT (bucket) DO UPDATE SET posts = c.posts + 1;
    UPDATE users SET posts_count = posts_count + 1 WHERE id = NEW.author_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_counted_insert AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION posts_counted();
--> statement-breakpoint
CREATE TRIGGER posts_counted_delete AFTER DELETE ON posts FOR EACH ROW EXECUTE FUNCTION posts_counted();
--> statement-breakpoint
-- An id or author changed by hand moves the post between buckets and authors' counts.
CREATE TRIGGER posts_counted_move AFTER UPDATE OF id, author_id ON posts FOR EACH ROW
  WHEN (OLD.id <> NEW.id OR OLD.author_id <> NEW.author_id) EXECUTE FUNCTION posts_counted();
