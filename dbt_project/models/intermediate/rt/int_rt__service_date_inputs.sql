{{ config(materialized='table', post_hook="{{ rt_analyze_table() }}") }}

{#-
  One row per service date that has realtime rows: what its results depend on (rule 9.8). The
  fingerprint changes when a lake batch with rows of D is loaded or when version(D) changes (rule 3.3),
  and the incremental realtime models rebuild exactly the dates whose fingerprint they do not hold yet.
-#}

with batches_per_date as (
    select
        service_date,
        count(distinct lake_batch_id) as lake_batch_count
    from {{ ref('int_rt__batch_service_dates') }}
    group by service_date
)

select
    batches_per_date.service_date,
    versions.feed_key,
    batches_per_date.lake_batch_count,
    {{ dbt.concat([
        "cast(batches_per_date.lake_batch_count as " ~ dbt.type_string() ~ ")",
        "'|'",
        "coalesce(versions.feed_key, '(no static version)')",
    ]) }} as input_fingerprint
from batches_per_date
left join {{ ref('int_static__version_by_service_date') }} as versions
    on batches_per_date.service_date = versions.service_date
