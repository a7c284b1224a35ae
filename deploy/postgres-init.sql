-- One database per service, so each owns its tables.
CREATE DATABASE chorus_ingest OWNER chorus;
CREATE DATABASE chorus_monitor OWNER chorus;
CREATE DATABASE chorus_publisher OWNER chorus;
CREATE DATABASE chorus_inbox OWNER chorus;
