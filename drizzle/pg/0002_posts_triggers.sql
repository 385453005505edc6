-- Each author's posts_count, kept in the transaction of the write as SQLite's triggers keep it
-- (drizzle/0005_posts_triggers.sql): the row lock on the author serialises replicas, so the count stays exact.
CREATE FUNCTION posts_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE users SET posts_count = posts_count - 1 WHERE id = OLD.author_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE users SET posts_count = posts_count + 1 WHERE id = NEW.author_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER posts_counted AFTER INSERT OR DELETE OR UPDATE OF author_id ON posts
  FOR EACH ROW EXECUTE FUNCTION posts_counted();
