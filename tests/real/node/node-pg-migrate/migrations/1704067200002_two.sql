-- Up Migration
CREATE TABLE twos (id integer PRIMARY KEY, label text);

-- Down Migration
DROP TABLE twos;
