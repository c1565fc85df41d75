-- Deploy roundtrip:tags

BEGIN;
CREATE TABLE tags (id integer PRIMARY KEY);
COMMIT;
