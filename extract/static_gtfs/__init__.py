"""Static GTFS (a .zip's bytes or a directory of .txt files) → one typed pyarrow table per GTFS file.

- ``container``: where the files come from (zip, nested zip, one sub-folder, directory) and the content hash;
- ``csv_table``: one CSV file → one table with the explicit types of ``columns``;
- ``version``: feed_key, version_key and feed_active_date (spec rules 0.3 and 3.2);
- ``feed``: the whole feed → StaticFeed, with the one-row ``feed_versions`` table.
"""

from extract.static_gtfs.container import is_static_gtfs_directory, is_static_gtfs_zip
from extract.static_gtfs.feed import (
    DEFAULT_TIMEZONE,
    FEED_VERSIONS_SCHEMA,
    FEED_VERSIONS_TABLE,
    StaticFeed,
    read_static_feed,
    static_feed_content_sha256,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "FEED_VERSIONS_SCHEMA",
    "FEED_VERSIONS_TABLE",
    "StaticFeed",
    "is_static_gtfs_directory",
    "is_static_gtfs_zip",
    "read_static_feed",
    "static_feed_content_sha256",
]
