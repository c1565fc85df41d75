--! Previous: sha1:b5ee791016324954c54ed5a5000a67a079de2a93
--! Hash: sha1:8257e12daaecfade7bedbaafe77c63c70df0ef58
--! Message: two

CREATE TABLE twos (id integer PRIMARY KEY, label text);
