-- The database keeps users' counts itself, in the transaction of the write that changes them, so a row written
-- by any process or by plain SQL keeps them exact: user_counts_by_<width>_ids hold how many users have ids in each
-- bucket of 2^shift ids (bucket = id >> shift; shifts 22, 16, 10 nest 64 to 1). The total is the sum of the widest;
-- src/services/user-positions.ts searches them for where page p starts. A REPLACE deletes without firing these
-- triggers unless recursive_triggers is on (src/db/client.ts turns it on). Plain SQL triggers: PostgreSQL can run
-- the same statements from a trigger function.
CREATE TRIGGER `users_counted_insert` AFTER INSERT ON `users` BEGIN
  INSERT INTO `user_counts_by_4m_ids` (`bucket`, `users`) VALUES (NEW.`id` >> 22, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `users` = `users` + 1;
  INSERT INTO `user_counts_by_64k_ids` (`bucket`, `users`) VALUES (NEW.`id` >> 16, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `users` = `users` + 1;
  INSERT INTO `user_counts_by_1k_ids` (`bucket`, `users`) VALUES (NEW.`id` >> 10, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `users` = `users` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `users_counted_delete` AFTER DELETE ON `users` BEGIN
  UPDATE `user_counts_by_4m_ids` SET `users` = `users` - 1 WHERE `bucket` = OLD.`id` >> 22;
  UPDATE `user_counts_by_64k_ids` SET `users` = `users` - 1 WHERE `bucket` = OLD.`id` >> 16;
  UPDATE `user_counts_by_1k_ids` SET `users` = `users` - 1 WHERE `bucket` = OLD.`id` >> 10;
END;
--> statement-breakpoint
-- An id changed by hand moves the user between buckets.
CREATE TRIGGER `users_counted_move` AFTER UPDATE OF `id` ON `users` WHEN OLD.`id` <> NEW.`id` BEGIN
  UPDATE `user_counts_by_4m_ids` SET `users` = `users` - 1 WHERE `bucket` = OLD.`id` >> 22;
  UPDATE `user_counts_by_64k_ids` SET `users` = `users` - 1 WHERE `bucket` = OLD.`id` >> 16;
  UPDATE `user_counts_by_1k_ids` SET `users` = `users` - 1 WHERE `bucket` = OLD.`id` >> 10;
  INSERT INTO `user_counts_by_4m_ids` (`bucket`, `users`) VALUES (NEW.`id` >> 22, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `users` = `users` + 1;
  INSERT INTO `user_counts_by_64k_ids` (`bucket`, `users`) VALUES (NEW.`id` >> 16, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `users` = `users` + 1;
  INSERT INTO `user_counts_by_1k_ids` (`bucket`, `users`) VALUES (NEW.`id` >> 10, 1)
    ON CONFLICT (`bucket`) DO UPDATE SET `users` = `users` + 1;
END;
--> statement-breakpoint
-- The counts of the rows already there, in the migration's own transaction: no write can fall between.
INSERT INTO `user_counts_by_1k_ids` (`bucket`, `users`) SELECT `id` >> 10, count(*) FROM `users` GROUP BY `id` >> 10;
--> statement-breakpoint
INSERT INTO `user_counts_by_64k_ids` (`bucket`, `users`)
  SELECT `bucket` >> 6, sum(`users`) FROM `user_counts_by_1k_ids` GROUP BY `bucket` >> 6;
--> statement-breakpoint
INSERT INTO `user_counts_by_4m_ids` (`bucket`, `users`)
  SELECT `bucket` >> 6, sum(`users`) FROM `user_counts_by_64k_ids` GROUP BY `bucket` >> 6;
