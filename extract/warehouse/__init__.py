"""The warehouse: load the lake into schema ``raw`` and run the dbt project on a target.

- ``load(lake, target)``: committed lake batches not yet loaded → ``raw`` (extract/warehouse/loader.py);
- ``WarehouseTarget``: a DuckDB file or a Postgres database (extract/warehouse/target.py);
- ``run_dbt(args, target)``: ``dbt build``/``seed``/... of dbt_project/ on that target
  (extract/warehouse/dbt.py).
"""

from extract.warehouse.dbt import DBT_PROJECT_DIR, DbtRunFailed, run_dbt
from extract.warehouse.loader import LoadReport, load
from extract.warehouse.target import WarehouseTarget

__all__ = ["DBT_PROJECT_DIR", "DbtRunFailed", "LoadReport", "WarehouseTarget", "load", "run_dbt"]
