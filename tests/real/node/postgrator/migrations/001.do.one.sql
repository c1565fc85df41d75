CREATE TABLE ones (id integer PRIMARY KEY, label text);
