-- migrate:up
CREATE TABLE ones (id integer PRIMARY KEY, label text);

-- migrate:down
DROP TABLE ones;
