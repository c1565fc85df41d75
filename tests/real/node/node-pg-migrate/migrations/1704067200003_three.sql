-- Up Migration
CREATE TABLE threes (id integer PRIMARY KEY, label text);

-- Down Migration
DROP TABLE threes;
