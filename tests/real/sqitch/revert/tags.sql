-- Revert roundtrip:tags

BEGIN;
DROP TABLE tags;
COMMIT;
