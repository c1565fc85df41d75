CREATE TABLE threes (id integer PRIMARY KEY, label text);
