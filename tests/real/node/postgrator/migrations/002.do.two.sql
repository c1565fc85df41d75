CREATE TABLE twos (id integer PRIMARY KEY, label text);
