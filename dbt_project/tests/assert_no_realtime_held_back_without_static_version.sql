{#-
  Rule 3.3 step 3: realtime rows of a service date without any static version are held back (no events,
  no metrics) until a feed covering that date is loaded. This test lists the held-back dates so they are
  never silently missing from the marts: it fails while any exist. Load the static feed in force for
  those dates and rebuild; the incremental models then process them (rule 9.8).

  Read from the per-date inputs (one row per service date with realtime rows, rule 2.1 dates of both
  VP and TU rows) rather than from the row-level views: the same dates, without scanning a day of rows.
-#}

select
    service_date,
    lake_batch_count as lake_batches_with_held_back_rows
from {{ ref('int_rt__service_date_inputs') }}
where feed_key is null
