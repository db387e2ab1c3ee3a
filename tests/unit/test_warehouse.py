"""Reading what the warehouse holds from inside a resource, as sources do to find deletions."""

import dlt
import pytest

from pipelines.runtime.warehouse import stored_rows, stored_values

pytestmark = pytest.mark.unit


def test_a_resource_sees_what_earlier_runs_loaded(project_dir):
    seen: list[set[str]] = []

    @dlt.resource(name="things", primary_key="id", write_disposition="merge")
    def things(ids):
        seen.append(stored_values("things", "id"))
        yield [{"id": i, "gone": i == "b"} for i in ids]

    pipeline = dlt.pipeline("warehouse_probe", destination=dlt.destinations.duckdb(
        str(project_dir / "wh.duckdb")), dataset_name="raw")
    pipeline.run(things(["a", "b"]))
    pipeline.run(things(["c"]))
    assert seen == [set(), {"a", "b"}]
    # the where clause takes %s parameters on every engine
    assert sorted(_rows_inside(pipeline)) == [("b",)]


def _rows_inside(pipeline):
    rows = []

    @dlt.resource(name="probe_reader")
    def reader():
        rows.extend(stored_rows("things", "id", "gone = %s", (True,)))
        yield from ()

    pipeline.run(reader())
    return rows


def test_a_table_never_loaded_reads_as_empty(project_dir):
    found = []

    @dlt.resource(name="empty_probe")
    def probe():
        found.append(stored_values("no_such_table", "id"))
        yield {"x": 1}

    pipeline = dlt.pipeline("warehouse_probe_empty", destination=dlt.destinations.duckdb(
        str(project_dir / "wh.duckdb")), dataset_name="raw")
    pipeline.run(probe())
    assert found == [set()]
