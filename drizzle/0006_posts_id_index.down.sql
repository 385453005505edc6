DROP INDEX `posts_id_idx`;
