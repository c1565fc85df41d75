DROP TABLE threes;
