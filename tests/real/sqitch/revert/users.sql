-- Revert roundtrip:users

BEGIN;
DROP TABLE users;
COMMIT;
