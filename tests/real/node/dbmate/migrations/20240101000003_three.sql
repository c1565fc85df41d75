-- migrate:up
CREATE TABLE threes (id integer PRIMARY KEY, label text);

-- migrate:down
DROP TABLE threes;
