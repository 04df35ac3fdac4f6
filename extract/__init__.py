"""LAMP extractor: lands GTFS-Realtime and static GTFS as a partitioned parquet lake."""
