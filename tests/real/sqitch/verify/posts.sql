-- Verify roundtrip:posts

SELECT id FROM posts WHERE false;
