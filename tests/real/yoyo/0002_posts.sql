-- depends: 0001_users
CREATE TABLE posts (id integer PRIMARY KEY);
