-- drizzle/0003_user_counts_triggers.sql on PostgreSQL: the database keeps users' counts per bucket of 2^shift ids
-- (shifts 22, 16, 10) in the transaction of each write that changes them, from any replica or plain SQL alike.
-- The upsert locks the bucket's row, so concurrent writers from several replicas count one after the other.
CREATE FUNCTION users_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE user_counts_by_4m_ids SET users = users - 1 WHERE bucket = OLD.id >> 22;
    UPDATE user_counts_by_64k_ids SET users = users - 1 WHERE bucket = OLD.id >> 16;
    UPDATE user_counts_by_1k_ids SET users = users - 1 WHERE bucket = OLD.id >> 10;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO user_counts_by_4m_ids AS c (bucket, users) VALUES (NEW.id >> 22, 1)
      ON CONFLICT (bucket) DO UPDATE SET users = c.users + 1;
    INSERT INTO user_counts_by_64k_ids AS c (bucket, users) VALUES (NEW.id >> 16, 1)
      ON CONFLICT (bucket) DO UPDATE SET users = c.users + 1;
    INSERT INTO user_counts_by_1k_ids AS c (bucket, users) VALUES (NEW.id >> 10, 1)
      ON CONFLICT (bucket) DO UPDATE SET users = c.users + 1;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_counted_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_counted();
--> statement-breakpoint
CREATE TRIGGER users_counted_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_counted();
--> statement-breakpoint
-- An id changed by hand moves the user between buckets.
CREATE TRIGGER users_counted_move AFTER UPDATE OF id ON users FOR EACH ROW WHEN (OLD.id <> NEW.id) EXECUTE FUNCTION users_counted();
--> statement-breakpoint
-- The counts of the rows already there, in the migration's own transaction: no write can fall between.
INSERT INTO user_counts_by_1k_ids (bucket, users) SELECT id >> 10, count(*) FROM users GROUP BY id >> 10;
--> statement-breakpoint
INSERT INTO user_counts_by_64k_ids (bucket, users) SELECT bucket >> 6, sum(users) FROM user_counts_by_1k_ids GROUP BY bucket >> 6;
--> statement-breakpoint
INSERT INTO user_counts_by_4m_ids (bucket, users) SELECT bucket >> 6, sum(users) FROM user_counts_by_64k_ids GROUP BY bucket >> 6;
