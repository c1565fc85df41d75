--! Previous: -
--! Hash: sha1:b5ee791016324954c54ed5a5000a67a079de2a93
--! Message: one

CREATE TABLE ones (id integer PRIMARY KEY, label text);
