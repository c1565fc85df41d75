-- Verify roundtrip:tags

SELECT id FROM tags WHERE false;
