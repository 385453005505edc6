-- Each author's posts counted per bucket of ids as all posts are (drizzle/0005_posts_triggers.sql), in the
-- transaction of each write: author_post_counts_by_<width>_ids hold how many of an author's posts have ids in each
-- bucket, so an author's page N is found by descending their counts (src/db/positions.ts), never by skipping their
-- posts before it. A user's deletion cascades to their posts and their counts (the foreign key): a post's delete
-- trigger then updates a row already gone, a no-op.
CREATE TRIGGER `posts_counted_by_author_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO `author_post_counts_by_4m_ids` (`author_id`, `bucket`, `posts`) VALUES (NEW.`author_id`, NEW.`id` >> 22, 1)
    ON CONFLICT (`author_id`, `bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `author_post_counts_by_64k_ids` (`author_id`, `bucket`, `posts`) VALUES (NEW.`author_id`, NEW.`id` >> 16, 1)
    ON CONFLICT (`author_id`, `bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `author_post_counts_by_1k_ids` (`author_id`, `bucket`, `posts`) VALUES (NEW.`author_id`, NEW.`id` >> 10, 1)
    ON CONFLICT (`author_id`, `bucket`) DO UPDATE SET `posts` = `posts` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `posts_counted_by_author_delete` AFTER DELETE ON `posts` BEGIN
  UPDATE `author_post_counts_by_4m_ids` SET `posts` = `posts` - 1 WHERE `author_id` = OLD.`author_id` AND `bucket` = OLD.`id` >> 22;
  UPDATE `author_post_counts_by_64k_ids` SET `posts` = `posts` - 1 WHERE `author_id` = OLD.`author_id` AND `bucket` = OLD.`id` >> 16;
  UPDATE `author_post_counts_by_1k_ids` SET `posts` = `posts` - 1 WHERE `author_id` = OLD.`author_id` AND `bucket` = OLD.`id` >> 10;
END;
--> statement-breakpoint
-- An id or author changed by hand moves the post between the author's buckets, or to the other author's.
CREATE TRIGGER `posts_counted_by_author_move` AFTER UPDATE OF `id`, `author_id` ON `posts`
  WHEN OLD.`id` <> NEW.`id` OR OLD.`author_id` <> NEW.`author_id` BEGIN
  UPDATE `author_post_counts_by_4m_ids` SET `posts` = `posts` - 1 WHERE `author_id` = OLD.`author_id` AND `bucket` = OLD.`id` >> 22;
  UPDATE `author_post_counts_by_64k_ids` SET `posts` = `posts` - 1 WHERE `author_id` = OLD.`author_id` AND `bucket` = OLD.`id` >> 16;
  UPDATE `author_post_counts_by_1k_ids` SET `posts` = `posts` - 1 WHERE `author_id` = OLD.`author_id` AND `bucket` = OLD.`id` >> 10;
  INSERT INTO `author_post_counts_by_4m_ids` (`author_id`, `bucket`, `posts`) VALUES (NEW.`author_id`, NEW.`id` >> 22, 1)
    ON CONFLICT (`author_id`, `bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `author_post_counts_by_64k_ids` (`author_id`, `bucket`, `posts`) VALUES (NEW.`author_id`, NEW.`id` >> 16, 1)
    ON CONFLICT (`author_id`, `bucket`) DO UPDATE SET `posts` = `posts` + 1;
  INSERT INTO `author_post_counts_by_1k_ids` (`author_id`, `bucket`, `posts`) VALUES (NEW.`author_id`, NEW.`id` >> 10, 1)
    ON CONFLICT (`author_id`, `bucket`) DO UPDATE SET `posts` = `posts` + 1;
END;
--> statement-breakpoint
-- The counts of the posts already there, in the migration's own transaction: no write can fall between.
INSERT INTO `author_post_counts_by_1k_ids` (`author_id`, `bucket`, `posts`)
  SELECT `author_id`, `id` >> 10, count(*) FROM `posts` GROUP BY `author_id`, `id` >> 10;
--> statement-breakpoint
INSERT INTO `author_post_counts_by_64k_ids` (`author_id`, `bucket`, `posts`)
  SELECT `author_id`, `bucket` >> 6, sum(`posts`) FROM `author_post_counts_by_1k_ids` GROUP BY `author_id`, `bucket` >> 6;
--> statement-breakpoint
INSERT INTO `author_post_counts_by_4m_ids` (`author_id`, `bucket`, `posts`)
  SELECT `author_id`, `bucket` >> 6, sum(`posts`) FROM `author_post_counts_by_64k_ids` GROUP BY `author_id`, `bucket` >> 6;
