-- Revert roundtrip:posts

BEGIN;
DROP TABLE posts;
COMMIT;
