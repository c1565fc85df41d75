-- migrate:up
CREATE TABLE twos (id integer PRIMARY KEY, label text);

-- migrate:down
DROP TABLE twos;
