-- Verify roundtrip:users

SELECT id FROM users WHERE false;
