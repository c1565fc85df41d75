-- depends: 0002_posts
CREATE TABLE tags (id integer PRIMARY KEY);
