-- Deploy roundtrip:users

BEGIN;
CREATE TABLE users (id integer PRIMARY KEY);
COMMIT;
