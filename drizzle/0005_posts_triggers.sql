-- Posts' counts, kept by the database as users' are (drizzle/0003_user_counts_triggers.sql): post_counts_by_<width>_ids
-- hold how many posts have ids in each bucket (the total and REST's page positions, src/db/positions.ts), and
-- users.posts_count each author's posts, all in the transaction of the write. A user's deletion cascades to their
-- posts, whose delete triggers then update a row already gone: a no-op.
CREATE TRIGGER `posts_counted_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO `post_counts_by_4m_ids` (`bucket`, `posts`) VALUES (NEW.`id` >> 22, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `post_counts_by_64k_ids` (`bucket`, `posts`) VALUES (NEW.`id` >> 16, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `post_counts_by_1k_ids` (`bucket`, `posts`) VALUES (NEW.`id` >> 10, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `posts` = `posts` + 1;
  UPDATE `users` SET `posts_count` = `posts_count` + 1 WHERE `id` = NEW.`author_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `posts_counted_delete` AFTER DELETE ON `posts` BEGIN
  UPDATE `post_counts_by_4m_ids` SET `posts` = `posts` - 1 WHERE `bucket` = OLD.`id` >> 22;
  UPDATE `post_counts_by_64k_ids` SET `posts` = `posts` - 1 WHERE `bucket` = OLD.`id` >> 16;
  UPDATE `post_counts_by_1k_ids` SET `posts` = `posts` - 1 WHERE `bucket` = OLD.`id` >> 10;
  UPDATE `users` SET `posts_count` = `posts_count` - 1 WHERE `id` = OLD.`author_id`;
END;
--> statement-breakpoint
-- An id changed by hand moves the post between buckets.
CREATE TRIGGER `posts_counted_move` AFTER UPDATE OF `id` ON `posts` WHEN OLD.`id` <> NEW.`id` BEGIN
  UPDATE `post_counts_by_4m_ids` SET `posts` = `posts` - 1 WHERE `bucket` = OLD.`id` >> 22;
  UPDATE `post_counts_by_64k_ids` SET `posts` = `posts` - 1 WHERE `bucket` = OLD.`id` >> 16;
  UPDATE `post_counts_by_1k_ids` SET `posts` = `posts` - 1 WHERE `bucket` = OLD.`id` >> 10;
  INSERT INTO `post_counts_by_4m_ids` (`bucket`, `posts`) VALUES (NEW.`id` >> 22, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `post_counts_by_64k_ids` (`bucket`, `posts`) VALUES (NEW.`id` >> 16, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `post_counts_by_1k_ids` (`bucket`, `posts`) VALUES (NEW.`id` >> 10, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `posts` = `posts` + 1;
END;
--> statement-breakpoint
-- A post given to another author by hand moves between their counts.
CREATE TRIGGER `posts_counted_reauthor` AFTER UPDATE OF `author_id` ON `posts` WHEN OLD.`author_id` <> NEW.`author_id` BEGIN
  UPDATE `users` SET `posts_count` = `posts_count` - 1 WHERE `id` = OLD.`author_id`;
  UPDATE `users` SET `posts_count` = `posts_count` + 1 WHERE `id` = NEW.`author_id`;
END;
