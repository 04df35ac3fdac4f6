{{
    config(
        materialized='incremental',
        post_hook="{{ rt_analyze_table() }}",
        incremental_strategy='append',
    )
}}

{#-
  Which lake batch holds realtime rows of which service date (rule 2.1). Appends only the batches not
  seen yet, so each run reads just the newly loaded rows; int_rt__service_date_inputs turns it into the
  per-date fingerprint that drives the incremental rebuild (rule 9.8).
-#}

with settings as (
    select
        agency_timezone,
        service_day_cutoff_seconds
    from {{ ref('agency_settings') }}
),

new_rows as (
    select
        lake_batch_id,
        start_date,
        vehicle_timestamp as row_timestamp
    from {{ ref('stg_gtfs_rt__vehicle_positions') }}
    {% if is_incremental() -%}
        where lake_batch_id not in (select known.lake_batch_id from {{ this }} as known)
    {%- endif %}

    union all

    select
        lake_batch_id,
        start_date,
        issue_timestamp as row_timestamp
    from {{ ref('stg_gtfs_rt__trip_updates') }}
    {% if is_incremental() -%}
        where lake_batch_id not in (select known.lake_batch_id from {{ this }} as known)
    {%- endif %}
),

dated as (
    select distinct
        new_rows.lake_batch_id,
        {{ rt_service_date('new_rows.start_date', 'new_rows.row_timestamp') }} as service_date
    from new_rows
    cross join settings
)

select
    lake_batch_id,
    service_date
from dated
where service_date is not null
