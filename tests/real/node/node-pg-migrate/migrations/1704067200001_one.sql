-- Up Migration
CREATE TABLE ones (id integer PRIMARY KEY, label text);

-- Down Migration
DROP TABLE ones;
