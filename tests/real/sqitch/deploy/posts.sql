-- Deploy roundtrip:posts

BEGIN;
CREATE TABLE posts (id integer PRIMARY KEY);
COMMIT;
