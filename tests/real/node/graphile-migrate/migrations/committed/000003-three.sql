--! Previous: sha1:8257e12daaecfade7bedbaafe77c63c70df0ef58
--! Hash: sha1:2cbe4e46480dd7e5636201d0c5d82795ae401722
--! Message: three

CREATE TABLE threes (id integer PRIMARY KEY, label text);
